import TensorCore

/// The original SimCLR NT-Xent loss (Chen et al., ICML 2020) on `U = [u1; u2]` (2N anchors, no
/// targets, gradients to both views, self-similarity excluded, mean over the 2N anchors):
///
///     L = 1/(2N) Σ_i [ −U_i·U_{p(i)}/τ + log Σ_{j≠i} e^{U_i·U_j/τ} ],   p(i) = i ± N
///     ∂L/∂U_i = 1/(2Nτ) [ (−U_{p(i)} + Σ_j P_ij U_j)  +  (−U_{p(i)} + Σ_a P_ai U_a) ]
///                         └ as an anchor ┘              └ as a key of other anchors ┘
///
/// Decomposition (in `u`, scale `1/(2Nτ)`, paper λ = 1): positive `−u_other`, `V = [u1; u2]` (the
/// online batch) with softmax weights (0 on self), and the residual is the key-side gradient that
/// the paper's stop-gradient simplification drops (paper.md §2.1, simplification 2).
/// `targets` are ignored. Parameters: `tau` (0.2).
public struct NTXentMethod<Scalar: BLASScalar>: SSLMethod {
    /// The temperature τ.
    public var tau: Scalar

    public init(tau: Scalar = 0.2) {
        precondition(tau > 0, "NT-Xent needs τ > 0, got \(tau)")
        self.tau = tau
    }

    /// From catalogue parameters (`tau`).
    public init(parameters p: MethodParameters) { self.init(tau: Scalar(p["tau"])) }

    public var name: String { "ntxent" }
    public var parameters: MethodParameters { MethodParameters([("tau", Double(tau))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: .none)
        let n = p.n
        let U = Tensor.concatenatingRows([p.u1, p.u2])
        let partner = Tensor.concatenatingRows([p.u2, p.u1])            // U_{p(i)}
        let f = InfoNCELogSumExp.forward(u: U, keys: U, tau: tau, excludeDiagonal: true)
        let c = 1 / Scalar(2 * n)
        let posTotal = InfoNCEPositive.values(u: U, positives: partner, tau: tau).compensatedSum()
        let lseTotal = f.values.compensatedSum()
        let anchorSide = (InfoNCEPositive.gradient(positives: partner, tau: tau)
                          + InfoNCELogSumExp.gradientAnchors(f, keys: U, tau: tau)) * c
        let keySide = (InfoNCEPositive.gradient(positives: partner, tau: tau)
                       + InfoNCELogSumExp.gradientKeys(f, anchors: U, tau: tau)) * c
        let gU = anchorSide + keySide
        let gU1 = gU.slicingRows(0..<n), gU2 = gU.slicingRows(n..<(2 * n))
        let (gZ1, gZ2) = p.backward(gU1, gU2)
        let set = NegativeSet(vectors: U, labels: indexLabels("u1", n, suffix: " (batch view-1 sample)")
                                                + indexLabels("u2", n, suffix: " (batch view-2 sample)"))
        func view(_ k: Int, rows: Range<Int>) -> ViewDecomposition<Scalar> {
            ViewDecomposition(view: k, variable: .normalized, scale: c / tau, gradient: gU.slicingRows(rows),
                              positive: -partner.slicingRows(rows) * (c / tau), negativeSet: set,
                              weights: f.weights.slicingRows(rows), lambda: Array(repeating: c / tau, count: n),
                              lambdaIsPerSample: false, residual: keySide.slicingRows(rows),
                              note: "positive −u of the other view; negative Σ softmax(u·v/τ) v over the online batch (self excluded); residual = gradient received as a key of other anchors")
        }
        var next = state
        next.step += 1
        return MethodResult(
            method: name, loss: c * (posTotal + lseTotal), lossKind: .loss,
            terms: [LossTerm(name: "InfoNCE positive", value: c * posTotal, formula: "mean over 2N anchors −u_i·u_p(i)/τ"),
                    LossTerm(name: "log-sum-exp", value: c * lseTotal, formula: "mean over 2N anchors log Σ_{j≠i} e^{u_i·u_j/τ}")],
            gradZ1: gZ1, gradZ2: gZ2, views: decompose ? [view(1, rows: 0..<n), view(2, rows: n..<(2 * n))] : [], nextState: next)
    }
}
