import TensorCore

/// UniGrad (Tao et al., CVPR 2022, §3): `ℓ(u → t⁺) = −u·t⁺ + (λ/2) uᵀF u` with the moving-average
/// correlation matrix `F` held constant, so `∂ℓ/∂u = −t⁺ + λ F u`.
///
/// `F ← ρF + (1−ρ)F̂`, `F̂ = (t1ᵀt1 + t2ᵀt2)/(2N)` (first step `F = F̂`), updated with this batch's
/// targets *before* it is used (official code order; see `MethodState`). The reported value is the
/// analytic loss (λ/2), not the official code's surrogate (which logs `−u·t + λ uᵀFu`).
///
/// Decomposition (in `u`, scale `1/(2N)`): positive `−t⁺`, `V = [t1; t2]` plus the eigen-directions
/// of the previous `F`, weights `ρ_v (u·v)`, `λ` the hyper-parameter, residual 0.
/// Parameters: `lambda` (100), `rho` (0.99).
public struct UniGradMethod<Scalar: BLASScalar>: SSLMethod {
    /// The balance factor λ.
    public var lambda: Scalar
    /// The moving-average momentum ρ of `F`.
    public var rho: Scalar

    public init(lambda: Scalar = 100, rho: Scalar = 0.99) {
        self.lambda = lambda
        self.rho = rho
    }

    /// From catalogue parameters (`lambda`, `rho`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"]), rho: Scalar(p["rho"])) }

    public var name: String { "unigrad" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda)), ("rho", Double(rho))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        var (next, F) = state.updatingCorrelation(t1: p.t1, t2: p.t2, rho: rho)
        next.step += 1
        let c = 1 / Scalar(2 * p.n)
        let pos = PositiveCosine.values(u: p.u1, positives: p.t2) + PositiveCosine.values(u: p.u2, positives: p.t1)
        let neg = CorrelationNegative.values(u: p.u1, F: F, lambda: lambda) + CorrelationNegative.values(u: p.u2, F: F, lambda: lambda)
        let positiveTerm = c * pos.compensatedSum(), negativeTerm = c * neg.compensatedSum()
        let gU1 = (PositiveCosine.gradient(positives: p.t2) + CorrelationNegative.gradient(u: p.u1, F: F, lambda: lambda)) * c
        let gU2 = (PositiveCosine.gradient(positives: p.t1) + CorrelationNegative.gradient(u: p.u2, F: F, lambda: lambda)) * c
        let (gZ1, gZ2) = p.backward(gU1, gU2)
        func view(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>, g: Tensor<Scalar>) -> ViewDecomposition<Scalar> {
            let (set, w) = CorrelationNegative.negativeSet(u: u, t1: p.t1, t2: p.t2, previous: state.correlation, rho: rho)
            return ViewDecomposition(view: k, variable: .normalized, scale: c, gradient: g, positive: -tPlus * c,
                                     negativeSet: set, weights: w, lambda: Array(repeating: c * lambda, count: p.n),
                                     lambdaIsPerSample: false, residual: .zeros(g.shape),
                                     note: "positive −t⁺; negative F u = Σ_v ρ_v (u·v) v over this batch's targets and the previous F's eigen-directions; no residual")
        }
        return MethodResult(
            method: name, loss: positiveTerm + negativeTerm, lossKind: .loss,
            terms: [LossTerm(name: "positive", value: positiveTerm, formula: "½ mean −u·t⁺"),
                    LossTerm(name: "negative", value: negativeTerm, formula: "½ mean (λ/2) uᵀF u")],
            gradZ1: gZ1, gradZ2: gZ2,
            views: decompose ? [view(1, u: p.u1, tPlus: p.t2, g: gU1), view(2, u: p.u2, tPlus: p.t1, g: gU2)] : [],
            nextState: next)
    }
}
