import TensorCore

/// Barlow Twins' gradient form with ℓ2 normalisation instead of batch standardisation, Table 1 (h),
/// exactly the official `loss_barlow_twins_grad_mm` (paper.md §4, checks C9/C10):
///
///     g1_b = 2(−t2_b + λ Σ_v (t2_b·t2_v/N) u1_v) = 2(−t2_b + λ C t2_b),  C = 1/N Σ_v u1_v t2_vᵀ
///
/// with `u1_v` online (detached) and the coefficients from the targets. Gradient-only: the value is
/// the surrogate `½(1/N Σ⟨sg(g1_b), u1_b⟩ + …)`, `∂L/∂u1_b = g1_b/(2N)`. Decomposition (in `u`,
/// scale `1/N`): positive `−t2_b`, `V` = view-1 batch, weights `t2_b·t2_v/N`, λ, residual 0.
/// Parameters: `lambda` (50).
public struct BarlowL2Method<Scalar: BLASScalar>: SSLMethod {
    /// The balance factor λ.
    public var lambda: Scalar

    public init(lambda: Scalar = 50) { self.lambda = lambda }
    /// From catalogue parameters (`lambda`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"])) }

    public var name: String { "barlow-l2" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        var (result, next) = correlationGradientForm(name: name, variable: .normalized, x1: p.u1, x2: p.u2, t1: p.t1, t2: p.t2,
                                                     lambda: lambda, state: state, labelPrefix: "u", decompose: decompose)
        (result.gradZ1, result.gradZ2) = p.backward(result.gradZ1, result.gradZ2)
        result.nextState = next
        return result
    }
}
