import TensorCore

/// The gradient form of VICReg, Table 1 (j) (paper.md §2.3, check C11): the variance hinge is
/// dropped, features are ℓ2-normalised, the target is constant, and the negatives come from the
/// same branch's batch covariance:
///
///     g1_b = −t2_b + λ Σ_v (ū1_b·ū1_v/(N−1)) ū1_v = −t2_b + λ Cov(u1) ū1_b,   ū = u − mean_batch(u)
///
/// (`ū1_v` online, detached). Gradient-only: the value is the surrogate
/// `½(1/N Σ⟨sg(g1_b), u1_b⟩ + …)`, so `∂L/∂u1_b = g1_b/(2N)`.
///
/// Choice of λ (default 10): VICReg's z-gradient `(2w_inv/(ND))(z1 − z2) + 4w_cov/(D(N−1)) offdiag(Cov_z) z̄`
/// with `z ≈ √D u` (unit per-dimension std) becomes, up to a common factor,
/// `−u2 + (2 D w_cov / w_inv) Cov_u ū`, i.e. `λ ≈ 2D·1/25 ≈ 10` for D = 128 (≈ 164 for D = 2048);
/// like UniGrad's `F`, `tr Cov_u ≤ 1`. Decomposition (in `u`, scale `1/(2N)`): positive `−t2_b`,
/// `V` = centred view-1 batch, weights `ū1_b·ū1_v/(N−1)`, λ, residual 0. Parameters: `lambda` (10).
public struct VICRegGradMethod<Scalar: BLASScalar>: SSLMethod {
    /// The balance factor λ.
    public var lambda: Scalar

    public init(lambda: Scalar = 10) { self.lambda = lambda }
    /// From catalogue parameters (`lambda`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"])) }

    public var name: String { "vicreg-grad" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        precondition(p.n >= 2, "vicreg-grad needs N ≥ 2, got \(z1.shape)")
        let n = p.n
        let c = 1 / Scalar(2 * n)
        var posTotal: Scalar = 0, negTotal: Scalar = 0
        func side(_ v: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let xc = u.addingRowVector(-u.meanRows())
            let weights = xc.matmul(xc, transposeOther: true) / Scalar(n - 1)
            let negative = weights.matmul(xc)
            let g = -tPlus + negative * lambda
            posTotal += SurrogateInnerProduct.value(g: -tPlus, x: u)
            negTotal += SurrogateInnerProduct.value(g: negative * lambda, x: u)
            let gu = SurrogateInnerProduct.gradient(g: g)
            guard decompose else { return (g, nil) }
            let set = NegativeSet(vectors: xc, labels: indexLabels("u\(v)", n, suffix: " − mean (batch view-\(v) sample, centred, detached)"))
            let dec = ViewDecomposition(view: v, variable: .normalized, scale: c, gradient: gu, positive: -tPlus * c,
                                        negativeSet: set, weights: weights, lambda: Array(repeating: c * lambda, count: n),
                                        lambdaIsPerSample: false, residual: .zeros(gu.shape),
                                        note: "positive −t⁺; negative Cov(u) ū = Σ_v (ū·ū_v/(N−1)) ū_v over this view's centred batch; no residual (gradient form)")
            return (g, dec)
        }
        let (g1, d1) = side(1, u: p.u1, tPlus: p.t2)
        let (g2, d2) = side(2, u: p.u2, tPlus: p.t1)
        let (gZ1, gZ2) = p.backward(SurrogateInnerProduct.gradient(g: g1), SurrogateInnerProduct.gradient(g: g2))
        var next = state
        next.step += 1
        return MethodResult(method: name, loss: posTotal + negTotal, lossKind: .surrogate,
                            terms: [LossTerm(name: "invariance", value: posTotal, formula: "½ mean ⟨sg(−t⁺), u⟩"),
                                    LossTerm(name: "covariance", value: negTotal, formula: "½ mean ⟨sg(λ Cov(u) ū), u⟩")],
                            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 },
                            surrogate: SurrogateGradients(g1: g1, g2: g2, variable: .normalized), nextState: next)
    }
}
