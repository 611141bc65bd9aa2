import TensorCore

/// The gradient form of VICReg, Table 1 (j) (paper.md §2.3, check C11): the variance hinge is
/// dropped, features are ℓ2-normalised, the target is constant, and the negatives come from the
/// same branch's batch. With `center = 1` they are the centred batch (the covariance term exactly):
///
///     g1_b = −t2_b + λ Σ_v (ū1_b·ū1_v/(N−1)) ū1_v = −t2_b + λ Cov(u1) ū1_b,   ū = u − mean_batch(u)
///
/// with `center = 0` (the default) the centring and the `N−1` are dropped, which is paper.md §2.3's
/// reading "−u2 + λ Σ_v (u1ᵀv1/N) v1", i.e. UniGrad's `λ F u1` with `F` the current batch's own
/// correlation — the form in which (h) and (j) "differ only in how the negative coefficients are
/// computed". The centred form leaves the batch-mean direction without any negative gradient once
/// the hinge is gone, and on the `tiny` preset it did not learn (kNN 58.7% after 12 epochs, random
/// init 56.8%); see README "Per-method settings".
///
///     g1_b = −t2_b + λ Σ_v (u1_b·u1_v/N) u1_v
///
/// (`u1_v` online, detached). Gradient-only: the value is the surrogate
/// `½(1/N Σ⟨sg(g1_b), u1_b⟩ + …)`, so `∂L/∂u1_b = g1_b/(2N)`.
///
/// Choice of λ (default 10): VICReg's z-gradient `(2w_inv/(ND))(z1 − z2) + 4w_cov/(D(N−1)) offdiag(Cov_z) z̄`
/// with `z ≈ √D u` (unit per-dimension std) becomes, up to a common factor,
/// `−u2 + (2 D w_cov / w_inv) Cov_u ū`, i.e. `λ ≈ 2D·1/25 ≈ 10` for D = 128 (≈ 164 for D = 2048);
/// like UniGrad's `F`, `tr Cov_u ≤ 1`. Decomposition (in `u`, scale `1/(2N)`): positive `−t2_b`,
/// `V` = (centred) view-1 batch, weights `ū1_b·ū1_v/(N−1)` (or `u1_b·u1_v/N`), λ, residual 0.
/// Parameters: `lambda` (10), `center` (0).
public struct VICRegGradMethod<Scalar: BLASScalar>: SSLMethod {
    /// The balance factor λ.
    public var lambda: Scalar
    /// Whether the negatives are the centred batch (`Cov(u1) ū1`) or the batch itself.
    public var centered: Bool

    public init(lambda: Scalar = 10, centered: Bool = false) {
        self.lambda = lambda
        self.centered = centered
    }
    /// From catalogue parameters (`lambda`, `center`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"]), centered: p["center"] != 0) }

    public var name: String { "vicreg-grad" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda)), ("center", centered ? 1 : 0)]) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        precondition(p.n >= 2, "vicreg-grad needs N ≥ 2, got \(z1.shape)")
        let n = p.n
        let c = 1 / Scalar(2 * n)
        var posTotal: Scalar = 0, negTotal: Scalar = 0
        func side(_ v: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let xc = centered ? u.addingRowVector(-u.meanRows()) : u
            let weights = xc.matmul(xc, transposeOther: true) / Scalar(centered ? n - 1 : n)
            let negative = weights.matmul(xc)
            let g = -tPlus + negative * lambda
            posTotal += SurrogateInnerProduct.value(g: -tPlus, x: u)
            negTotal += SurrogateInnerProduct.value(g: negative * lambda, x: u)
            let gu = SurrogateInnerProduct.gradient(g: g)
            guard decompose else { return (g, nil) }
            let set = NegativeSet(vectors: xc, labels: indexLabels("u\(v)", n, suffix: centered ? " − mean (batch view-\(v) sample, centred, detached)"
                                                                                                 : " (batch view-\(v) sample, detached)"))
            let dec = ViewDecomposition(view: v, variable: .normalized, scale: c, gradient: gu, positive: -tPlus * c,
                                        negativeSet: set, weights: weights, lambda: Array(repeating: c * lambda, count: n),
                                        lambdaIsPerSample: false, residual: .zeros(gu.shape),
                                        note: centered ? "positive −t⁺; negative Cov(u) ū = Σ_v (ū·ū_v/(N−1)) ū_v over this view's centred batch; no residual (gradient form)"
                                                       : "positive −t⁺; negative Σ_v (u·u_v/N) u_v over this view's batch (its own correlation F_batch u); no residual (gradient form)")
            return (g, dec)
        }
        let (g1, d1) = side(1, u: p.u1, tPlus: p.t2)
        let (g2, d2) = side(2, u: p.u2, tPlus: p.t1)
        let (gZ1, gZ2) = p.backward(SurrogateInnerProduct.gradient(g: g1), SurrogateInnerProduct.gradient(g: g2))
        var next = state
        next.step += 1
        return MethodResult(method: name, loss: posTotal + negTotal, lossKind: .surrogate,
                            terms: [LossTerm(name: "invariance", value: posTotal, formula: "½ mean ⟨sg(−t⁺), u⟩"),
                                    LossTerm(name: "covariance", value: negTotal,
                                             formula: centered ? "½ mean ⟨sg(λ Cov(u) ū), u⟩" : "½ mean ⟨sg(λ F_batch u), u⟩")],
                            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 },
                            surrogate: SurrogateGradients(g1: g1, g2: g2, variable: .normalized), nextState: next)
    }
}
