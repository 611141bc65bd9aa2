import TensorCore

/// Batch normalisation of features (PyTorch `nn.BatchNorm1d`, affine, tracking stats).
///
/// Statistics over the batch for each feature `c`; in training `y = γ (x − μ)/√(σ² + ε) + β` with
/// batch statistics, in evaluation with the running ones. Running statistics: momentum 0.1,
/// the variance unbiased (`× M/(M − 1)`), as PyTorch. `γ = 1`, `β = 0` initially; neither gets
/// weight decay. The formulas and the backward pass are in `BatchNormKernel`
/// (Ioffe & Szegedy, "Batch Normalization", ICML 2015).
public final class BatchNorm1d<Scalar: BLASScalar>: Layer {
    let kernel: BatchNormKernel<Scalar>
    /// Training mode uses and updates batch statistics; evaluation mode uses the running ones.
    public var isTraining = true

    /// BN over `channels` features.
    public init(_ channels: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        kernel = BatchNormKernel(channels: channels, momentum: momentum, epsilon: epsilon)
    }

    private init(copying o: BatchNorm1d) {
        kernel = BatchNormKernel(copying: o.kernel)
        isTraining = o.isTraining
    }

    /// `C`.
    public var channels: Int { kernel.channels }
    /// `γ`, shape `(C)`.
    public var weight: Parameter<Scalar> { kernel.weight }
    /// `β`, shape `(C)`.
    public var bias: Parameter<Scalar> { kernel.bias }
    /// Running mean, shape `(C)` (buffer `running_mean`).
    public var runningMean: Parameter<Scalar> { kernel.runningMean }
    /// Running unbiased variance, shape `(C)` (buffer `running_var`).
    public var runningVar: Parameter<Scalar> { kernel.runningVar }

    public var summary: String { "BatchNorm1d(\(channels))" }
    public var parameters: [Parameter<Scalar>] { [kernel.weight, kernel.bias] }
    public var buffers: [Parameter<Scalar>] { [kernel.runningMean, kernel.runningVar] }
    public func copy() -> BatchNorm1d { BatchNorm1d(copying: self) }

    // x: (N, C) → y: (N, C)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 2 && x.shape[1] == channels, "\(summary): input shape \(x.shape), expected (N, \(channels))")
        return Tensor(shape: x.shape, scalars: kernel.forward(x.scalars, n: x.shape[0], s: 1, training: isTraining))
    }

    // g: (N, C) → ∂L/∂x: (N, C)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        Tensor(shape: g.shape, scalars: kernel.backward(g.scalars))
    }
}
