import TensorCore

/// The gradient form of BYOL/DirectPred (Table 1 (e); paper.md §2.2 "Final form"): the predictor
/// is replaced by the identity in the positive term and the per-sample `1/‖W_p u‖` is dropped,
///
///     g_b = −t⁺_b + λ_b F u_b,     λ_b = (u_b · W_p t⁺_b) / (u_bᵀ F u_b)   (adaptive, per sample)
///
/// with `F` the moving average (updated with this batch's targets first) and `W_p` DirectPred's
/// predictor from `F`. Gradient-only: the value is the surrogate
/// `½(1/N Σ⟨sg(g1_b), u1_b⟩ + 1/N Σ⟨sg(g2_b), u2_b⟩)`, so `∂L/∂u_b = g_b/(2N)`.
/// Decomposition (in `u`, scale `1/(2N)`): positive `−t⁺`, negative `F u` (as in `unigrad`),
/// `λ_b` adaptive, residual 0. Parameters: `eps` (0.3), `rho` (0.99).
public struct BYOLGradMethod<Scalar: BLASScalar>: SSLMethod {
    /// DirectPred's ε (used by `W_p` in `λ_b`).
    public var eps: Scalar
    /// The moving-average momentum ρ of `F`.
    public var rho: Scalar

    public init(eps: Scalar = 0.3, rho: Scalar = 0.99) {
        self.eps = eps
        self.rho = rho
    }

    /// From catalogue parameters (`eps`, `rho`).
    public init(parameters p: MethodParameters) { self.init(eps: Scalar(p["eps"]), rho: Scalar(p["rho"])) }

    public var name: String { "byol-grad" }
    public var parameters: MethodParameters { MethodParameters([("eps", Double(eps)), ("rho", Double(rho))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        var (next, F) = state.updatingCorrelation(t1: p.t1, t2: p.t2, rho: rho)
        next.step += 1
        let (W, _) = DirectPredPredictor.predictor(F: F, eps: eps)
        let c = 1 / Scalar(2 * p.n)
        var posTotal: Scalar = 0, negTotal: Scalar = 0
        func side(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (g: Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let Fu = u.matmul(F)
            let lam = zip(u.rowDots(tPlus.matmul(W)), u.rowDots(Fu)).map { $0 / Swift.max($1, Scalar.leastNormalMagnitude) }
            let g = -tPlus + Fu.scalingRows(lam)
            posTotal += c * (-tPlus).dot(u)
            negTotal += c * Fu.scalingRows(lam).dot(u)
            guard decompose else { return (g, nil) }
            let (set, w) = CorrelationNegative.negativeSet(u: u, t1: p.t1, t2: p.t2, previous: state.correlation, rho: rho)
            let gu = SurrogateInnerProduct.gradient(g: g)
            let dec = ViewDecomposition(view: k, variable: .normalized, scale: c, gradient: gu, positive: -tPlus * c,
                                        negativeSet: set, weights: w, lambda: lam.map { $0 * c }, lambdaIsPerSample: true,
                                        residual: .zeros(gu.shape),
                                        note: "positive −t⁺; negative F u over this batch's targets and the previous F's eigen-directions; λ_b = u·W_p t/(uᵀFu); no residual (gradient form)")
            return (g, dec)
        }
        let (g1, d1) = side(1, u: p.u1, tPlus: p.t2)
        let (g2, d2) = side(2, u: p.u2, tPlus: p.t1)
        let (gZ1, gZ2) = p.backward(SurrogateInnerProduct.gradient(g: g1), SurrogateInnerProduct.gradient(g: g2))
        return MethodResult(method: name, loss: posTotal + negTotal, lossKind: .surrogate,
                            terms: [LossTerm(name: "positive", value: posTotal, formula: "½ mean ⟨sg(−t⁺), u⟩"),
                                    LossTerm(name: "negative", value: negTotal, formula: "½ mean ⟨sg(λ_b F u), u⟩")],
                            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 },
                            surrogate: SurrogateGradients(g1: g1, g2: g2, variable: .normalized), nextState: next)
    }
}
