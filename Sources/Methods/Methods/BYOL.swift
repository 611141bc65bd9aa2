import TensorCore

/// BYOL at feature level (Grill et al., NeurIPS 2020; Tao et al., CVPR 2022 §2.2, check C7):
/// `ℓ(u → t⁺) = −cos(W u, t⁺)` with the linear predictor `W = state.predictor` (identity if absent),
///
///     ∂ℓ/∂u = −(1/‖Wu‖)(Wᵀt⁺ − κ WᵀW u),    κ = (Wu)·t⁺/‖Wu‖²
///
/// An analytic loss; the gradient is exact. Decomposition (in `u`, scale `1/(2N)`): positive `−t⁺`
/// (the paper's `Wᵀ → I`), negative `WᵀW u = Σ_i (w_i·u) w_i` over the rows `w_i` of `W`, adaptive
/// `λ_b = κ_b` (paper: `u·W t/(uᵀF u)` with `F = WᵀW`), and the residual
/// `t⁺ − Wᵀt⁺/‖Wu‖ + κ(1/‖Wu‖ − 1) WᵀW u` (the dropped `Wᵀ → I` and `1/‖Wu‖`). No parameters.
public struct BYOLMethod<Scalar: BLASScalar>: SSLMethod {
    public init() {}
    /// From catalogue parameters (none).
    public init(parameters: MethodParameters) {}

    public var name: String { "byol" }
    public var parameters: MethodParameters { MethodParameters([]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        predictorCosineResult(name: name, z1: z1, z2: z2, targets: targets, state: state, decompose: decompose)
    }
}

/// The shared evaluation of `byol` and `simsiam` with `W = state.predictor ?? I`.
func predictorCosineResult<Scalar: BLASScalar>(name: String, z1: Tensor<Scalar>, z2: Tensor<Scalar>,
                                               targets: MethodTargets<Scalar>, state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
    let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
    let W = state.predictor ?? Tensor.identity(p.d)
    precondition(W.shape == [p.d, p.d], "predictor W \(W.shape) vs D = \(p.d)")
    let c = 1 / Scalar(2 * p.n)
    var total: Scalar = 0
    let set = NegativeSet(vectors: W, labels: indexLabels("W", p.d, suffix: " (predictor row)"))
    func side(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
        let f = PredictorCosine.forward(u: u, targets: tPlus, W: W)
        total += f.values.compensatedSum()
        let g = PredictorCosine.gradient(f, targets: tPlus, W: W) * c
        guard decompose else { return (g, nil) }
        let wtw = f.predictions.matmul(W)                         // WᵀW u_b
        let wt = tPlus.matmul(W)                                  // Wᵀ t_b
        let invNorm = f.predictionNorms.map { 1 / $0 }
        let residual = (tPlus - wt.scalingRows(invNorm)
                        + wtw.scalingRows(zip(f.kappa, invNorm).map { $0 * ($1 - 1) })) * c
        let dec = ViewDecomposition(view: k, variable: .normalized, scale: c, gradient: g, positive: -tPlus * c,
                                    negativeSet: set, weights: f.predictions, lambda: f.kappa.map { $0 * c },
                                    lambdaIsPerSample: true, residual: residual,
                                    note: "positive −t⁺ (Wᵀ→I); negative WᵀW u over the predictor rows, weights (W u)_i; λ_b = κ_b = (Wu)·t/‖Wu‖²; residual = dropped Wᵀ→I and 1/‖Wu‖")
        return (g, dec)
    }
    let (gU1, d1) = side(1, u: p.u1, tPlus: p.t2)
    let (gU2, d2) = side(2, u: p.u2, tPlus: p.t1)
    let (gZ1, gZ2) = p.backward(gU1, gU2)
    var next = state
    next.step += 1
    return MethodResult(method: name, loss: c * total, lossKind: .loss,
                        terms: [LossTerm(name: "negative cosine", value: c * total, formula: "½ mean −cos(W u, t⁺)")],
                        gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 }, nextState: next)
}
