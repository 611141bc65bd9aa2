import TensorCore

/// Row-wise ℓ2 normalisation `u = z/‖z‖` (norms clamped below at `1e−12`), as a layer.
///
/// Backward: `∂L/∂z = (I − u uᵀ)(∂L/∂u)/‖z‖` per row — the tangent projection of the unified
/// framework (Tao et al., CVPR 2022, paper.md §4); uses `Tensor.l2NormalizeBackward`.
public final class L2Normalize<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    private var cache: (u: Tensor<Scalar>, norms: [Scalar])?

    /// A row normaliser.
    public init() {}

    public var summary: String { "L2Normalize" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> L2Normalize {
        let l = L2Normalize()
        l.isTraining = isTraining
        return l
    }

    // z: (N, D) → u: (N, D)
    public func forward(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(z.rank == 2, "L2Normalize: input shape \(z.shape) is not (N, D)")
        let r = z.l2NormalizedRowsWithNorms()
        cache = r
        return r.u
    }

    // g: (N, D) → ∂L/∂z: (N, D)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (u, norms) = cache else { preconditionFailure("L2Normalize: backward without forward") }
        return Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: g)
    }
}
