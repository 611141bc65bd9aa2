import TensorCore

/// MoCo (He et al., CVPR 2020), symmetrised: InfoNCE with positive `t⁺` and the memory-bank queue
/// `Q` (K×D, unit rows) as negatives,
///
///     ℓ_b = −u·t⁺/τ + log(e^{u·t⁺/τ} + Σ_q e^{u·q/τ}),   ∂ℓ_b/∂u = (1/τ)(−t⁺ + s⁺ t⁺ + Σ_q s_q q)
///
/// The queue is `state.queue`; when there is none yet, the batch targets `[t1; t2]` stand in for it
/// (labelled as such). After the batch, `[t1; t2]` are enqueued (FIFO, capacity `queue_size`).
/// Decomposition (in `u`, scale `1/(2Nτ)`, paper λ = 1): positive `−t⁺`, `V = [t⁺ of each sample;
/// Q]` with softmax weights, residual 0. Parameters: `tau` (0.2), `queue_size` (4096).
public struct MoCoMethod<Scalar: BLASScalar>: SSLMethod {
    /// The temperature τ.
    public var tau: Scalar
    /// The queue capacity K.
    public var queueSize: Int

    public init(tau: Scalar = 0.2, queueSize: Int = 4096) {
        precondition(tau > 0 && queueSize >= 1, "MoCo needs τ > 0 and K ≥ 1, got \(tau), \(queueSize)")
        self.tau = tau
        self.queueSize = queueSize
    }

    /// From catalogue parameters (`tau`, `queue_size`).
    public init(parameters p: MethodParameters) { self.init(tau: Scalar(p["tau"]), queueSize: Int(p["queue_size"])) }

    public var name: String { "moco" }
    public var parameters: MethodParameters { MethodParameters([("tau", Double(tau)), ("queue_size", Double(queueSize))]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        let p = NormalizedPair(z1: z1, z2: z2, targets: targets)
        let n = p.n
        let queue: Tensor<Scalar>, queueLabels: [String]
        if let q = state.queue {
            precondition(q.columns == p.d, "queue \(q.shape) vs D = \(p.d)")
            queue = q
            queueLabels = indexLabels("queue", q.rows)
        } else {
            queue = Tensor.concatenatingRows([p.t1, p.t2])
            queueLabels = indexLabels("t1", n, suffix: " (no queue: batch target)") + indexLabels("t2", n, suffix: " (no queue: batch target)")
        }
        let c = 1 / Scalar(2 * n)
        var state2 = state
        state2.queueCapacity = queueSize
        var next = state2.enqueuing(Tensor.concatenatingRows([p.t1, p.t2]))
        next.step += 1

        var posTotal: Scalar = 0, lseTotal: Scalar = 0
        func side(_ k: Int, u: Tensor<Scalar>, tPlus: Tensor<Scalar>, tName: String) -> (Tensor<Scalar>, ViewDecomposition<Scalar>?) {
            let f = InfoNCELogSumExp.forward(u: u, keys: queue, tau: tau, extraPositives: tPlus)
            posTotal += InfoNCEPositive.values(u: u, positives: tPlus, tau: tau).compensatedSum()
            lseTotal += f.values.compensatedSum()
            let g = (InfoNCEPositive.gradient(positives: tPlus, tau: tau)
                     + InfoNCELogSumExp.gradientAnchors(f, keys: queue, tau: tau, extraPositives: tPlus)) * c
            // Weights over V = [t⁺_0 … t⁺_{N−1}; Q]: sample b weights its own positive only.
            guard decompose else { return (g, nil) }
            let m = n + queue.rows
            var w = [Scalar](repeating: 0, count: n * m)
            for b in 0..<n {
                w[b * m + b] = f.positiveWeights[b]
                for q in 0..<queue.rows { w[b * m + n + q] = f.weights.scalars[b * queue.rows + q] }
            }
            let set = NegativeSet(vectors: Tensor.concatenatingRows([tPlus, queue]),
                                  labels: indexLabels(tName, n, suffix: " (positive)") + queueLabels)
            let dec = ViewDecomposition(view: k, variable: .normalized, scale: c / tau, gradient: g,
                                        positive: -tPlus * (c / tau), negativeSet: set,
                                        weights: Tensor(shape: [n, m], scalars: w),
                                        lambda: Array(repeating: c / tau, count: n), lambdaIsPerSample: false,
                                        residual: .zeros(g.shape),
                                        note: "positive −t⁺; negative Σ softmax(u·v/τ) v over the positive and the queue; no residual")
            return (g, dec)
        }
        let (gU1, d1) = side(1, u: p.u1, tPlus: p.t2, tName: "t2")
        let (gU2, d2) = side(2, u: p.u2, tPlus: p.t1, tName: "t1")
        let (gZ1, gZ2) = p.backward(gU1, gU2)
        return MethodResult(
            method: name, loss: c * (posTotal + lseTotal), lossKind: .loss,
            terms: [LossTerm(name: "InfoNCE positive", value: c * posTotal, formula: "½ mean −u·t⁺/τ"),
                    LossTerm(name: "log-sum-exp", value: c * lseTotal, formula: "½ mean log(e^{u·t⁺/τ} + Σ_q e^{u·q/τ})")],
            gradZ1: gZ1, gradZ2: gZ2, views: [d1, d2].compactMap { $0 }, nextState: next)
    }
}
