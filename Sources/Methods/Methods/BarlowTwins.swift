import TensorCore

/// Original Barlow Twins (Zbontar et al., ICML 2021), Table 1 (f): per-dimension batch
/// standardisation `z̃ = BN(z)` (biased variance, ε = 1e−5, no affine), `C = z̃1ᵀz̃2/N`,
///
///     L = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²        (gradients to both views; symmetric in the views)
///
/// `targets` are ignored. Decomposition (in `z̃`, scale `2/N`), view 1:
/// `∂L/∂z̃1_b = (2/N)[−z̃2_b + λ C z̃2_b + (1−λ) diag(C) z̃2_b]` with
/// `C z̃2_b = Σ_v (z̃2_b·z̃2_v/N) z̃1_v`: positive `−z̃2_b`, `V` = the batch's view-1 features,
/// weights `z̃2_b·z̃2_v/N`, λ the hyper-parameter, residual `(2/N)(1−λ) diag(C) z̃2_b` (the
/// positive-term matrix `A = I − (1−λ)diag(C)` minus the identity). `∂L/∂z` is the
/// batch-standardisation backward of `∂L/∂z̃`. Parameters: `lambda` (0.0051).
public struct BarlowTwinsMethod<Scalar: BLASScalar>: SSLMethod {
    /// The off-diagonal weight λ.
    public var lambda: Scalar

    public init(lambda: Scalar = 0.0051) { self.lambda = lambda }
    /// From catalogue parameters (`lambda`).
    public init(parameters p: MethodParameters) { self.init(lambda: Scalar(p["lambda"])) }

    public var name: String { "barlow" }
    public var parameters: MethodParameters { MethodParameters([("lambda", Double(lambda))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        precondition(z1.rank == 2 && z1.shape == z2.shape && z1.rows >= 2, "barlow needs z1, z2 (N ≥ 2, D), got \(z1.shape), \(z2.shape)")
        let n = z1.rows
        let (x1, s1) = BatchStandardization.forward(z1), (x2, s2) = BatchStandardization.forward(z2)
        let C = CrossCorrelation.forward(x1, x2)
        let on = BarlowOnDiagonal.value(C: C), off = BarlowOffDiagonal.value(C: C, lambda: lambda)
        let G = BarlowOnDiagonal.gradient(C: C) + BarlowOffDiagonal.gradient(C: C, lambda: lambda)
        let (gx1, gx2) = CrossCorrelation.backward(x1, x2, gradC: G)
        let gZ1 = BatchStandardization.backward(zTilde: x1, sigma: s1, gradZTilde: gx1)
        let gZ2 = BatchStandardization.backward(zTilde: x2, sigma: s2, gradZTilde: gx2)
        let k = 2 / Scalar(n)
        let diagC = C.diagonal()
        func view(_ v: Int, own: Tensor<Scalar>, other: Tensor<Scalar>, g: Tensor<Scalar>) -> ViewDecomposition<Scalar> {
            let set = NegativeSet(vectors: own, labels: indexLabels("z~\(v)", n, suffix: " (batch view-\(v) sample)"))
            let residual = other.scalingColumns(diagC) * (k * (1 - lambda))
            return ViewDecomposition(view: v, variable: .standardized, scale: k, gradient: g, positive: -other * k,
                                     negativeSet: set, weights: other.matmul(other, transposeOther: true) / Scalar(n),
                                     lambda: Array(repeating: k * lambda, count: n), lambdaIsPerSample: false,
                                     residual: residual,
                                     note: "in z̃ (batch-standardised): positive −z̃ of the other view; negative C z̃⁺ = Σ_v (z̃⁺·z̃⁺_v/N) z̃_v over this view's batch; residual (2/N)(1−λ) diag(C) z̃⁺")
        }
        var next = state
        next.step += 1
        return MethodResult(method: name, loss: on + off, lossKind: .loss,
                            terms: [LossTerm(name: "on-diagonal", value: on, formula: "Σ_i (1 − C_ii)²"),
                                    LossTerm(name: "off-diagonal", value: off, formula: "λ Σ_{i≠j} C_ij²")],
                            gradZ1: gZ1, gradZ2: gZ2,
                            views: decompose ? [view(1, own: x1, other: x2, g: gx1), view(2, own: x2, other: x1, g: gx2)] : [],
                            nextState: next)
    }
}
