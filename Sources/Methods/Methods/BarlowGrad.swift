import TensorCore

/// The gradient form of Barlow Twins, Table 1 (g): the gradient of `barlow` with the positive-term
/// matrix `A = I − (1−λ)diag(C)` replaced by the identity, in the batch-standardised variable
/// `z̃ = BN(z)` (biased variance, ε = 1e−5), with constant targets `z̃t = BN(zt)` (default: the
/// online `z̃` held constant) giving the positive and the coefficients:
///
///     g1_b = 2(−z̃2t_b + λ Σ_v (z̃2t_b·z̃2t_v/N) z̃1_v),    g2 symmetric
///
/// (`z̃1_v` online, detached — the official `barlow_twins_grad_mm` pattern with BN). Gradient-only:
/// the value is the surrogate `½(1/N Σ⟨sg(g1_b), z̃1_b⟩ + …)`, so `∂L/∂z̃1_b = g1_b/(2N)` and
/// `∂L/∂z1` is its batch-standardisation backward. Decomposition (in `z̃`, scale `1/N`): positive
/// `−z̃2t_b`, `V` = view-1 batch, weights `z̃2t_b·z̃2t_v/N`, λ, residual 0.
/// Parameters: `lambda` (0.0051, as in `barlow`).
public struct BarlowGradMethod<Scalar: BLASScalar>: SSLMethod {
    /// The balance factor λ.
    public var lambda: Scalar

    public init(lambda: Scalar = 0.0051) { self.lambda = lambda }
    /// From catalogue parameters (`lambda`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"])) }

    public var name: String { "barlow-grad" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        precondition(z1.rank == 2 && z1.shape == z2.shape && z1.rows >= 2, "barlow-grad needs z1, z2 (N ≥ 2, D), got \(z1.shape), \(z2.shape)")
        let (x1, s1) = BatchStandardization.forward(z1), (x2, s2) = BatchStandardization.forward(z2)
        let x1t = targets.z1t.map { BatchStandardization.forward($0).zTilde } ?? x1
        let x2t = targets.z2t.map { BatchStandardization.forward($0).zTilde } ?? x2
        let (r, next) = correlationGradientForm(name: name, variable: .standardized, x1: x1, x2: x2, t1: x1t, t2: x2t,
                                                lambda: lambda, state: state, labelPrefix: "z~", decompose: decompose)
        var result = r
        result.gradZ1 = BatchStandardization.backward(zTilde: x1, sigma: s1, gradZTilde: r.gradZ1)
        result.gradZ2 = BatchStandardization.backward(zTilde: x2, sigma: s2, gradZTilde: r.gradZ2)
        result.nextState = next
        return result
    }
}

/// Shared by `barlow-grad` and `barlow-l2`: `g1_b = 2(−t2_b + λ Σ_v (t2_b·t2_v/N) x1_v)` and the
/// surrogate, decomposition and terms in the variable `x`; `gradZ` is left for the caller
/// (it is set to `∂L/∂x` here).
func correlationGradientForm<Scalar: BLASScalar>(name: String, variable: DecompositionVariable,
                                                 x1: Tensor<Scalar>, x2: Tensor<Scalar>, t1: Tensor<Scalar>, t2: Tensor<Scalar>,
                                                 lambda: Scalar, state: MethodState<Scalar>, labelPrefix: String, decompose: Bool)
    -> (MethodResult<Scalar>, MethodState<Scalar>) {
    let n = x1.rows
    let k = 1 / Scalar(n)
    var posTotal: Scalar = 0, negTotal: Scalar = 0
    func side(_ v: Int, own: Tensor<Scalar>, tOther: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
        let weights = tOther.matmul(tOther, transposeOther: true) / Scalar(n)   // t⁺_b·t⁺_v/N
        let negative = weights.matmul(own)
        let g = (-tOther + negative * lambda) * 2
        posTotal += SurrogateInnerProduct.value(g: -tOther * 2, x: own)
        negTotal += SurrogateInnerProduct.value(g: negative * (2 * lambda), x: own)
        let gx = SurrogateInnerProduct.gradient(g: g)
        guard decompose else { return (g, nil) }
        let set = NegativeSet(vectors: own, labels: indexLabels("\(labelPrefix)\(v)", n, suffix: " (batch view-\(v) sample, detached)"))
        let dec = ViewDecomposition(view: v, variable: variable, scale: k, gradient: gx, positive: -tOther * k,
                                    negativeSet: set, weights: weights, lambda: Array(repeating: k * lambda, count: n),
                                    lambdaIsPerSample: false, residual: .zeros(gx.shape),
                                    note: "positive −t⁺; negative C t⁺ = Σ_v (t⁺·t⁺_v/N) x_v over this view's batch; no residual (gradient form)")
        return (g, dec)
    }
    let (g1, d1) = side(1, own: x1, tOther: t2)
    let (g2, d2) = side(2, own: x2, tOther: t1)
    var next = state
    next.step += 1
    let result = MethodResult(method: name, loss: posTotal + negTotal, lossKind: .surrogate,
                              terms: [LossTerm(name: "positive", value: posTotal, formula: "½ mean ⟨sg(−2t⁺), x⟩"),
                                      LossTerm(name: "negative", value: negTotal, formula: "½ mean ⟨sg(2λ C t⁺), x⟩")],
                              gradZ1: SurrogateInnerProduct.gradient(g: g1), gradZ2: SurrogateInnerProduct.gradient(g: g2), views: [d1, d2].compactMap { $0 },
                              surrogate: SurrogateGradients(g1: g1, g2: g2, variable: variable), nextState: next)
    return (result, next)
}
