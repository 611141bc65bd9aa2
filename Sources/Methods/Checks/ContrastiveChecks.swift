import TensorCore

// Checks of derivations/contrastive.md: MoCo, SimCLR (official gradient code) and NT-Xent.
// Shapes: u, t, x are (N, D) unit rows; Q is the (K, D) queue; τ the temperature.

/// The checks of the contrastive family.
enum ContrastiveChecks {
    static let tau = 0.2

    static var all: [DerivationCheck] {
        [infoNCEGradient, mocoZGradient, simclrCodeForm, ntxentFullGradient, ntxentStopGradient]
    }

    // MARK: InfoNCE, written out directly (the independent reference)

    /// `Σ_b [−u_b·p_b/τ + log(e^{u_b·p_b/τ} + Σ_q e^{u_b·q/τ})]` for free rows `u`.
    static func infoNCE(_ u: Tensor<Double>, positives p: Tensor<Double>, negatives q: Tensor<Double>, tau: Double) -> Double {
        let logits = logitsWithPositiveFirst(u, p, q, tau: tau)
        let lse = CheckKit.logSumExpRows(logits)
        return (0..<u.rows).reduce(0) { $0 - logits[$1, 0] + lse[$1] }
    }

    /// Row `b`: `[u_b·p_b, u_b·q_1, …, u_b·q_K] / τ`.
    static func logitsWithPositiveFirst(_ u: Tensor<Double>, _ p: Tensor<Double>, _ q: Tensor<Double>, tau: Double) -> Tensor<Double> {
        let pos = CheckKit.rowDots(u, p)
        let neg = u.matmul(q, transposeOther: true)
        let k = q.rows
        var logits = Tensor<Double>.zeros([u.rows, k + 1])
        for b in 0..<u.rows {
            logits[b, 0] = pos[b] / tau
            for j in 0..<k { logits[b, j + 1] = neg[b, j] / tau }
        }
        return logits
    }

    /// The derivation's claim (C1): `∂/∂u_b = (1/τ)(−p_b + Σ_{v∈V_b} s_v v)`, `V_b = {p_b} ∪ Q`.
    static func infoNCEGradientFormula(_ u: Tensor<Double>, positives p: Tensor<Double>, negatives q: Tensor<Double>, tau: Double) -> Tensor<Double> {
        let s = CheckKit.softmaxRows(logitsWithPositiveFirst(u, p, q, tau: tau))
        var g = -p
        for b in 0..<u.rows {
            for j in 0..<u.columns {
                var acc = s[b, 0] * p[b, j]
                for k in 0..<q.rows { acc += s[b, k + 1] * q[k, j] }
                g[b, j] += acc
            }
        }
        return g / tau
    }

    static let infoNCEGradient = DerivationCheck(
        id: "infonce.gradient-wrt-u",
        claim: "∂/∂u1 of −log softmax_{u2}(V u1/τ) equals (1/τ)(−u2 + Σ_v s_v v) with s = softmax(V u1/τ)",
        reference: "C1"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, k) = (32, 16, 64)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let queue = CheckKit.unitRows(k, d, rng: &rng)
        let analytic = infoNCEGradientFormula(pairs.u1, positives: pairs.u2, negatives: queue, tau: tau)
        return CheckKit.gradientCheck(analytic: analytic, of: { infoNCE($0, positives: pairs.u2, negatives: queue, tau: tau) },
                                      at: pairs.u1, note: "N=\(n) D=\(d) K=\(k) τ=\(tau)")
    }

    static let mocoZGradient = DerivationCheck(
        id: "moco.gradient-wrt-z",
        claim: "MoCo's symmetrised batch-mean loss has ∂L/∂z1_b = (I − u uᵀ)(1/τ)(−t2_b + Σ_v s_v v) / (2N‖z1_b‖)",
        reference: "Table 1(a), C1+C5"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, k) = (32, 16, 64)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let targets = CheckKit.positivePairs(n, d, rng: &rng)  // momentum-encoder outputs: constants
        let queue = CheckKit.unitRows(k, d, rng: &rng)
        let (t1, t2) = (targets.u1, targets.u2)
        func loss(_ z1: Tensor<Double>) -> Double {
            let u1 = z1.l2NormalizedRows()
            return 0.5 * (infoNCE(u1, positives: t2, negatives: queue, tau: tau)
                + infoNCE(pairs.u2, positives: t1, negatives: queue, tau: tau)) / Double(n)
        }
        let (u1, norms) = pairs.z1.l2NormalizedRowsWithNorms()
        let gU = infoNCEGradientFormula(u1, positives: t2, negatives: queue, tau: tau) / Double(2 * n)
        let analytic = Tensor.l2NormalizeBackward(u: u1, norms: norms, gradU: gU)
        return CheckKit.gradientCheck(analytic: analytic, of: loss, at: pairs.z1, note: "N=\(n) D=\(d) K=\(k) τ=\(tau)")
    }

    static let simclrCodeForm = DerivationCheck(
        id: "simclr.code-form",
        claim: "the official SimCLR gradient g1 = (1/τ)(−t2 + softmax(u1 Kᵀ/τ) K), K = [t1; t2], is the InfoNCE gradient with V = K",
        reference: "C2, Table 1(b)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let targets = CheckKit.positivePairs(n, d, rng: &rng)
        let keys = Tensor.concatenatingRows([targets.u1, targets.u2])  // includes t2_b and the anchor's own t1_b
        let code = (-targets.u2 + CheckKit.softmaxRows(pairs.u1.matmul(keys, transposeOther: true) / tau).matmul(keys)) / tau
        func loss(_ u: Tensor<Double>) -> Double {
            let lse = CheckKit.logSumExpRows(u.matmul(keys, transposeOther: true) / tau)
            let pos = CheckKit.rowDots(u, targets.u2)
            return (0..<n).reduce(0) { $0 - pos[$1] / tau + lse[$1] }
        }
        return CheckKit.gradientCheck(analytic: code, of: loss, at: pairs.u1, note: "N=\(n) D=\(d) |K|=\(2 * n) τ=\(tau)")
    }

    // MARK: NT-Xent (original SimCLR)

    /// `(1/2N) Σ_i [−x_i·x_{p(i)}/τ + log Σ_{k≠i} e^{x_i·x_k/τ}]` on `X = [u1; u2]`, `p(i) = i ± N`.
    static func ntxent(_ x: Tensor<Double>, tau: Double) -> Double {
        let m = x.rows, n = m / 2
        var logits = x.matmul(x, transposeOther: true) / tau
        for i in 0..<m { logits[i, i] = -.infinity }
        let lse = CheckKit.logSumExpRows(logits)
        return (0..<m).reduce(0) { $0 - logits[$1, ($1 + n) % m] + lse[$1] } / Double(m)
    }

    /// `S_ik = softmax_{k≠i}(x_i·x_k/τ)` with `S_ii = 0`.
    static func ntxentWeights(_ x: Tensor<Double>, tau: Double) -> Tensor<Double> {
        var logits = x.matmul(x, transposeOther: true) / tau
        for i in 0..<x.rows { logits[i, i] = -.infinity }
        return CheckKit.softmaxRows(logits)
    }

    /// The swap `P X`: row `i` is `x_{p(i)}`.
    static func partners(_ x: Tensor<Double>) -> Tensor<Double> {
        let n = x.rows / 2
        return Tensor.concatenatingRows([x.slicingRows(n..<(2 * n)), x.slicingRows(0..<n)])
    }

    static let ntxentFullGradient = DerivationCheck(
        id: "ntxent.full-gradient",
        claim: "NT-Xent on X = [u1; u2] has ∂L/∂x_j = (1/2Nτ)(−2 x_{p(j)} + Σ_k (S_jk + S_kj) x_k): anchor, positive-key and negative-key terms",
        reference: "Table 1(b)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let x = Tensor.concatenatingRows([pairs.u1, pairs.u2])
        let s = ntxentWeights(x, tau: tau)
        let analytic = (-2 * partners(x) + (s + s.transposed()).matmul(x)) / (Double(2 * n) * tau)
        return CheckKit.gradientCheck(analytic: analytic, of: { ntxent($0, tau: tau) }, at: x, note: "N=\(n) D=\(d) τ=\(tau)")
    }

    static let ntxentStopGradient = DerivationCheck(
        id: "ntxent.stop-gradient-direction",
        claim: "keeping only the anchor term (1/2Nτ)(−u2 + Σ_k S_jk x_k) of NT-Xent's gradient (stop-gradient on keys) keeps its tangent direction (mean cosine)",
        reference: "Table 1(b), simplification 2"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (256, 128)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let x = Tensor.concatenatingRows([pairs.u1, pairs.u2])
        let s = ntxentWeights(x, tau: tau)
        let scale = 1 / (Double(2 * n) * tau)
        let full = ((-2 * partners(x) + (s + s.transposed()).matmul(x)) * scale).slicingRows(0..<n)
        let anchorOnly = ((-partners(x) + s.matmul(x)) * scale).slicingRows(0..<n)
        return CheckKit.approximation(exact: full, approx: anchorOnly, projectingAt: pairs.u1, statistic: .mean,
                                      threshold: 0.98, note: "N=\(n) D=\(d) τ=\(tau), realistic positive pairs")
    }
}
