import TensorCore

/// DirectPred's analytic predictor (Tian, Chen & Ganguli, ICML 2021; official
/// `loss_byol_directpred_grad`): from `F = U diag(s) Uᵀ`,
///
///     W_p = U diag(max(√(s/s_max) + ε, 1e−4)) Uᵀ
///
/// Eigenvalues are clamped at 0 before the square root (rounding can make them slightly negative).
public enum DirectPredPredictor {
    /// `(W_p, s_max)` for a symmetric PSD `F`.
    public static func predictor<Scalar: BLASScalar>(F: Tensor<Scalar>, eps: Scalar) -> (W: Tensor<Scalar>, sMax: Scalar) {
        let (s, U) = F.symmetricEigen()
        let sMax = Swift.max(s.max() ?? 0, Scalar.leastNormalMagnitude)
        let d = s.map { Swift.max((Swift.max($0, 0) / sMax).squareRoot() + eps, Scalar(1e-4)) }
        let UD = U.scalingColumns(d)
        return (UD.matmul(U, transposeOther: true), sMax)
    }
}

extension Tensor {
    /// Multiplies column `j` by `s[j]`.
    func scalingColumns(_ s: [Scalar]) -> Tensor {
        precondition(s.count == columns, "scalingColumns: \(s.count) factors for \(columns) columns")
        var out = self
        let c = columns
        for r in 0..<rows { for j in 0..<c { out.scalars[r * c + j] *= s[j] } }
        return out
    }
}

/// BYOL with DirectPred's analytic predictor (Table 1 (d)): `ℓ(u → t⁺) = −cos(W_p u, t⁺)` with
/// `W_p` from the moving-average `F` (updated with this batch's targets first, as in the official
/// code). An analytic loss; the gradient is its exact derivative for this `W_p` (not the code's
/// `F/s_max + ε²I` approximation of `W_p²`, paper.md C8).
///
/// Decomposition (in `u`, scale `1/(2N)`): positive `−t⁺`, negative `F u` over this batch's
/// targets and the previous `F`'s eigen-directions (weights `ρ_v u·v`), adaptive
/// `λ_b = κ_b/s_max` with `κ_b = (W_p u)·t⁺/‖W_p u‖²`; the residual holds the dropped `Wᵀ → I`,
/// `1/‖W_p u‖`, and `W_p² − F/s_max`. Parameters: `eps` (0.3), `rho` (0.99).
public struct BYOLDirectPredMethod<Scalar: BLASScalar>: SSLMethod {
    /// DirectPred's ε.
    public var eps: Scalar
    /// The moving-average momentum ρ of `F`.
    public var rho: Scalar

    public init(eps: Scalar = 0.3, rho: Scalar = 0.99) {
        self.eps = eps
        self.rho = rho
    }

    /// From catalogue parameters (`eps`, `rho`).
    public init(parameters p: MethodParameters) { self.init(eps: Scalar(p["eps"]), rho: Scalar(p["rho"])) }

    public var name: String { "byol-directpred" }
    public var parameters: MethodParameters { MethodParameters([("eps", Double(eps)), ("rho", Double(rho))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        var (next, F) = state.updatingCorrelation(t1: p.t1, t2: p.t2, rho: rho)
        next.step += 1
        let (W, sMax) = DirectPredPredictor.predictor(F: F, eps: eps)
        let c = 1 / Scalar(2 * p.n)
        var total: Scalar = 0
        func side(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let f = PredictorCosine.forward(u: u, targets: tPlus, W: W)
            total += f.values.compensatedSum()
            let g = PredictorCosine.gradient(f, targets: tPlus, W: W) * c
            guard decompose else { return (g, nil) }
            let (set, w) = CorrelationNegative.negativeSet(u: u, t1: p.t1, t2: p.t2, previous: state.correlation, rho: rho)
            let lam = f.kappa.map { $0 / sMax }
            // residual = c[−(1/‖Wu‖)(W t − κ W² u) + t − (κ/s_max) F u]
            let invNorm = f.predictionNorms.map { 1 / $0 }
            let exactNeg = f.predictions.matmul(W).scalingRows(zip(f.kappa, invNorm).map { $0 * $1 })
            let residual = (tPlus - tPlus.matmul(W).scalingRows(invNorm) + exactNeg - u.matmul(F).scalingRows(lam)) * c
            let dec = ViewDecomposition(view: k, variable: .normalized, scale: c, gradient: g, positive: -tPlus * c,
                                        negativeSet: set, weights: w, lambda: lam.map { $0 * c }, lambdaIsPerSample: true,
                                        residual: residual,
                                        note: "positive −t⁺ (W_pᵀ→I); negative F u over this batch's targets and the previous F's eigen-directions; λ_b = κ_b/s_max; residual = dropped W_pᵀ→I, 1/‖W_p u‖ and W_p² − F/s_max")
            return (g, dec)
        }
        let (gU1, d1) = side(1, u: p.u1, tPlus: p.t2)
        let (gU2, d2) = side(2, u: p.u2, tPlus: p.t1)
        let (gZ1, gZ2) = p.backward(gU1, gU2)
        return MethodResult(method: name, loss: c * total, lossKind: .loss,
                            terms: [LossTerm(name: "negative cosine", value: c * total, formula: "½ mean −cos(W_p u, t⁺)")],
                            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 }, nextState: next)
    }
}
