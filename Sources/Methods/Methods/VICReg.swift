import TensorCore

/// Original VICReg (Bardes, Ponce & LeCun, ICLR 2022), Table 1 (i), on raw `z`, gradients to both
/// views:
///
///     L = w_inv · mean (z1 − z2)² + w_var (v(z1) + v(z2)) + w_cov (c(z1) + c(z2))
///     v(z) = 1/D Σ_j relu(1 − √(Var_j + 1e−4)) (unbiased),   c(z) = 1/D Σ_{i≠j} Cov_ij²  (Cov with 1/(N−1))
///
/// `targets` are ignored. Decomposition (in raw `z`, scale `2w_inv/(ND)`), view 1: positive
/// `−z2_b`; negative `Cov z̄1_b = Σ_v (z̄1_b·z̄1_v/(N−1)) z̄1_v` over the centred view-1 batch
/// (`z̄ = z − mean`), `λ = 4w_cov/(D(N−1))`; residual `scale·z1_b` (parallel pull) + the variance
/// gradient − `λ diag(Cov) z̄1_b`. Parameters: `invariance` (25), `variance` (25), `covariance` (1).
public struct VICRegMethod<Scalar: BLASScalar>: SSLMethod {
    /// Weight of the invariance (MSE) term.
    public var invarianceWeight: Scalar
    /// Weight of the variance (hinge) term.
    public var varianceWeight: Scalar
    /// Weight of the covariance term.
    public var covarianceWeight: Scalar

    public init(invarianceWeight: Scalar = 25, varianceWeight: Scalar = 25, covarianceWeight: Scalar = 1) {
        self.invarianceWeight = invarianceWeight
        self.varianceWeight = varianceWeight
        self.covarianceWeight = covarianceWeight
    }

    /// From catalogue parameters (`invariance`, `variance`, `covariance`).
    public init(parameters p: MethodParameters) {
        self.init(invarianceWeight: Scalar(p["invariance"]), varianceWeight: Scalar(p["variance"]),
                  covarianceWeight: Scalar(p["covariance"]))
    }

    public var name: String { "vicreg" }
    public var parameters: MethodParameters {
        MethodParameters([("invariance", Double(invarianceWeight)), ("variance", Double(varianceWeight)),
                          ("covariance", Double(covarianceWeight))])
    }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        precondition(z1.rank == 2 && z1.shape == z2.shape && z1.rows >= 2, "vicreg needs z1, z2 (N ≥ 2, D), got \(z1.shape), \(z2.shape)")
        let n = z1.rows, d = z1.columns
        let inv = VICRegInvariance.value(z1: z1, z2: z2, weight: invarianceWeight)
        let vr = VICRegVariance.value(z: z1, weight: varianceWeight) + VICRegVariance.value(z: z2, weight: varianceWeight)
        let cv = VICRegCovariance.value(z: z1, weight: covarianceWeight) + VICRegCovariance.value(z: z2, weight: covarianceWeight)
        let gInv = VICRegInvariance.gradient(z1: z1, z2: z2, weight: invarianceWeight)
        let scale = 2 * invarianceWeight / Scalar(n * d)
        let lam = 4 * covarianceWeight / (Scalar(d) * Scalar(n - 1))
        func view(_ v: Int, own: Tensor<Scalar>, other: Tensor<Scalar>, gInvariance: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let gVar = VICRegVariance.gradient(z: own, weight: varianceWeight)
            let g = gInvariance + gVar + VICRegCovariance.gradient(z: own, weight: covarianceWeight)
            guard decompose else { return (g, nil) }
            let (xc, cov) = VICRegCovariance.covariance(own)
            let residual = own * scale + gVar - xc.scalingColumns(cov.diagonal()) * lam
            let set = NegativeSet(vectors: xc, labels: indexLabels("z\(v)", n, suffix: " − mean (batch view-\(v) sample, centred)"))
            let dec = ViewDecomposition(view: v, variable: .raw, scale: scale, gradient: g, positive: -other * scale,
                                        negativeSet: set, weights: xc.matmul(xc, transposeOther: true) / Scalar(n - 1),
                                        lambda: Array(repeating: lam, count: n), lambdaIsPerSample: false, residual: residual,
                                        note: "in raw z: positive −z of the other view; negative Cov z̄ = Σ_v (z̄·z̄_v/(N−1)) z̄_v over this view's centred batch; residual = +z (parallel), variance hinge, −λ diag(Cov) z̄")
            return (g, dec)
        }
        let (gZ1, d1) = view(1, own: z1, other: z2, gInvariance: gInv)
        let (gZ2, d2) = view(2, own: z2, other: z1, gInvariance: -gInv)
        var next = state
        next.step += 1
        return MethodResult(method: name, loss: inv + vr + cv, lossKind: .loss,
                            terms: [LossTerm(name: "invariance", value: inv, formula: "w_inv · mean (z1 − z2)²"),
                                    LossTerm(name: "variance", value: vr, formula: "w_var · (v(z1) + v(z2)), v = mean relu(1 − √(Var + 1e−4))"),
                                    LossTerm(name: "covariance", value: cv, formula: "w_cov · (c(z1) + c(z2)), c = Σ_{i≠j} Cov_ij² / D")],
                            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 }, nextState: next)
    }
}
