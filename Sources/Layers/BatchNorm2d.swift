import TensorCore

/// Batch normalisation of images per channel (PyTorch `nn.BatchNorm2d`, affine, tracking stats).
///
/// Statistics over `(N, H, W)` for each channel `c`; in training `y = γ (x − μ)/√(σ² + ε) + β` with
/// batch statistics, in evaluation with the running ones. Running statistics: momentum 0.1,
/// the variance unbiased (`× M/(M − 1)`), as PyTorch. `γ = 1`, `β = 0` initially; neither gets
/// weight decay. The formulas and the backward pass are in `BatchNormKernel`
/// (Ioffe & Szegedy, "Batch Normalization", ICML 2015).
public final class BatchNorm2d<Scalar: BLASScalar>: Layer {
    let kernel: BatchNormKernel<Scalar>
    /// Training mode uses and updates batch statistics; evaluation mode uses the running ones.
    public var isTraining = true

    /// BN over `channels` feature maps.
    public init(_ channels: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        kernel = BatchNormKernel(channels: channels, momentum: momentum, epsilon: epsilon)
    }

    private init(copying o: BatchNorm2d) {
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

    public var summary: String { "BatchNorm2d(\(channels))" }
    public var parameters: [Parameter<Scalar>] { [kernel.weight, kernel.bias] }
    public var buffers: [Parameter<Scalar>] { [kernel.runningMean, kernel.runningVar] }
    public func copy() -> BatchNorm2d { BatchNorm2d(copying: self) }

    // x: (N, C, H, W) → y: (N, C, H, W)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4 && x.shape[1] == channels, "\(summary): input shape \(x.shape), expected (N, \(channels), H, W)")
        let y = kernel.forward(x.scalars, n: x.shape[0], s: x.shape[2] * x.shape[3], training: isTraining)
        return Tensor(shape: x.shape, scalars: y)
    }

    // g: (N, C, H, W) → ∂L/∂x: (N, C, H, W)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        Tensor(shape: g.shape, scalars: kernel.backward(g.scalars))
    }
}

extension BatchNorm2d {
    /// `max(BN(x), 0)` in one pass, the forward of this layer followed by `relu`, whose cached
    /// output it sets so that `relu.backward` or `backwardRectified` can follow. Used by
    /// `Sequential` for every `BatchNorm2d, ReLU` pair: the same numbers, one pass fewer over
    /// the activation in each direction.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forwardRectified(_ x: Tensor<Scalar>, _ relu: ReLU<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4 && x.shape[1] == channels, "\(summary): input shape \(x.shape), expected (N, \(channels), H, W)")
        let y = Tensor(shape: x.shape, scalars: kernel.forward(x.scalars, n: x.shape[0], s: x.shape[2] * x.shape[3],
                                                                training: isTraining, rectified: true))
        relu.output = y
        return y
    }

    /// The backward pass of `relu` then of this layer, in one pass: `∂L/∂x` of BN for the
    /// upstream gradient `g·[y > 0]`, `y` being `relu`'s cached output (the kernel recomputes the
    /// mask from the cached input rather than reading `y` again).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backwardRectified(_ g: Tensor<Scalar>, _ relu: ReLU<Scalar>) -> Tensor<Scalar> {
        guard let y = relu.output else { preconditionFailure("ReLU: backward without forward") }
        precondition(g.shape == y.shape, "ReLU: gradient shape \(g.shape), forward output \(y.shape)")
        return Tensor(shape: g.shape, scalars: kernel.backward(g.scalars, rectified: true))
    }
}
