import TensorCore

/// SimCLR in the official gradient code's form (`loss_simclr_grad_mm`; Chen et al., ICML 2020;
/// Tao et al., CVPR 2022 §4, check C2): InfoNCE with stop-gradient keys `K = [t1; t2]` (2N keys,
/// including the positive and the anchor's own target),
///
///     ℓ_b = −u·t⁺/τ + log Σ_{k∈K} e^{u·k/τ},     ∂ℓ_b/∂u = (1/τ)(−t⁺ + Σ_k s_k k)
///
/// An analytic loss (the keys are constants), so the gradient is its exact derivative.
/// Decomposition (in `u`, scale `1/(2Nτ)`, paper λ = 1): positive `−t⁺`, `V = K`, softmax weights,
/// residual 0. Parameters: `tau` (0.2).
public struct SimCLRMethod<Scalar: BLASScalar>: SSLMethod {
    /// The temperature τ.
    public var tau: Scalar

    public init(tau: Scalar = 0.2) {
        precondition(tau > 0, "SimCLR needs τ > 0, got \(tau)")
        self.tau = tau
    }

    /// From catalogue parameters (`tau`).
    public init(parameters p: MethodParameters) { self.init(tau: Scalar(p["tau"])) }

    public var name: String { "simclr" }
    public var parameters: MethodParameters { MethodParameters([("tau", Double(tau))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        let n = p.n
        let keys = Tensor.concatenatingRows([p.t1, p.t2])
        let set = NegativeSet(vectors: keys, labels: indexLabels("t1", n) + indexLabels("t2", n))
        let c = 1 / Scalar(2 * n)
        var posTotal: Scalar = 0, lseTotal: Scalar = 0
        func side(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let f = InfoNCELogSumExp.forward(u: u, keys: keys, tau: tau)
            posTotal += InfoNCEPositive.values(u: u, positives: tPlus, tau: tau).compensatedSum()
            lseTotal += f.values.compensatedSum()
            let g = (InfoNCEPositive.gradient(positives: tPlus, tau: tau) + InfoNCELogSumExp.gradientAnchors(f, keys: keys, tau: tau)) * c
            guard decompose else { return (g, nil) }
            let dec = ViewDecomposition(view: k, variable: .normalized, scale: c / tau, gradient: g,
                                        positive: -tPlus * (c / tau), negativeSet: set, weights: f.weights,
                                        lambda: Array(repeating: c / tau, count: n), lambdaIsPerSample: false,
                                        residual: .zeros(g.shape),
                                        note: "positive −t⁺; negative Σ softmax(u·k/τ) k over K = [t1; t2] (includes t⁺ and the anchor's own target); no residual")
            return (g, dec)
        }
        let (gU1, d1) = side(1, u: p.u1, tPlus: p.t2)
        let (gU2, d2) = side(2, u: p.u2, tPlus: p.t1)
        let (gZ1, gZ2) = p.backward(gU1, gU2)
        var next = state
        next.step += 1
        return MethodResult(
            method: name, loss: c * (posTotal + lseTotal), lossKind: .loss,
            terms: [LossTerm(name: "InfoNCE positive", value: c * posTotal, formula: "½ mean −u·t⁺/τ"),
                    LossTerm(name: "log-sum-exp", value: c * lseTotal, formula: "½ mean log Σ_{k∈[t1;t2]} e^{u·k/τ}")],
            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 }, nextState: next)
    }
}
