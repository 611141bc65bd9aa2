import TensorCore

/// A fully connected layer `y = x Wᵀ + b` (PyTorch `nn.Linear`).
///
/// `W` has shape `(out, in)` and `b` shape `(out)`; `W` is initialised Kaiming-uniform with
/// `a = √5`, `b` from `U(±1/√in)` (see `Initialization`). Backward:
/// `∂L/∂W += gᵀx`, `∂L/∂b += Σₙ gₙ`, `∂L/∂x = g W`.
public final class Linear<Scalar: BLASScalar>: Layer {
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int
    /// `W`, shape `(out, in)`; weight decay applies.
    public let weight: Parameter<Scalar>
    /// `b`, shape `(out)`, or `nil` for a layer without bias; no weight decay.
    public let bias: Parameter<Scalar>?
    /// Unused by the computation (no mode-dependent behaviour); kept for the protocol.
    public var isTraining = true

    private var input: Tensor<Scalar>?

    /// A layer `in → out` with PyTorch's default initialisation drawn from `rng`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using rng: inout RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear(\(inFeatures)→\(outFeatures)): sizes must be positive")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(Initialization.kaimingUniform([outFeatures, inFeatures], fanIn: inFeatures, using: &rng),
                           name: "weight", isWeight: true)
        self.bias = bias
            ? Parameter(Initialization.biasUniform([outFeatures], fanIn: inFeatures, using: &rng), name: "bias", isWeight: false)
            : nil
    }

    private init(copying other: Linear) {
        inFeatures = other.inFeatures
        outFeatures = other.outFeatures
        weight = other.weight.copy()
        bias = other.bias?.copy()
        isTraining = other.isTraining
    }

    public var summary: String { "Linear(\(inFeatures)→\(outFeatures)\(bias == nil ? ", no bias" : ""))" }
    public var parameters: [Parameter<Scalar>] { [weight] + (bias.map { [$0] } ?? []) }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> Linear { Linear(copying: self) }

    // x: (N, in) → y: (N, out)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 2 && x.shape[1] == inFeatures, "\(summary): input shape \(x.shape), expected (N, \(inFeatures))")
        input = x
        var y = x.matmul(weight.value, transposeOther: true)
        if let b = bias?.value.scalars {
            let (n, m) = (x.rows, outFeatures)
            y.scalars.withUnsafeMutableBufferPointer { yp in
                for r in 0..<n { for j in 0..<m { yp[r * m + j] += b[j] } }
            }
        }
        return y
    }

    // g: (N, out) → ∂L/∂x: (N, in)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input else { preconditionFailure("\(summary): backward without forward") }
        precondition(g.shape == [x.rows, outFeatures], "\(summary): gradient shape \(g.shape), expected [\(x.rows), \(outFeatures)]")
        let n = x.rows
        // ∂L/∂W += gᵀ x, accumulated in place by gemm with β = 1.
        Scalar.gemm(transA: true, transB: false, m: outFeatures, n: inFeatures, k: n,
                    alpha: 1, a: g.scalars, lda: outFeatures, b: x.scalars, ldb: inFeatures,
                    beta: 1, c: &weight.grad.scalars, ldc: inFeatures)
        if let bias {
            let m = outFeatures
            g.scalars.withUnsafeBufferPointer { gp in
                bias.grad.scalars.withUnsafeMutableBufferPointer { bg in
                    for r in 0..<n { for j in 0..<m { bg[j] += gp[r * m + j] } }
                }
            }
        }
        return g.matmul(weight.value)
    }
}
