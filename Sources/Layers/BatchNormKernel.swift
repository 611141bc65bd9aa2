import TensorCore

/// The arithmetic shared by `BatchNorm1d` and `BatchNorm2d`, on a tensor viewed as `(N, C, S)`
/// (`S = 1` for features, `S = H·W` for images); statistics are per channel over `M = N·S` values.
///
/// Training: `μ = mean x`, `σ² = mean (x − μ)²` (biased), `x̂ = (x − μ)/√(σ² + ε)`, `y = γ x̂ + β`;
/// running statistics `r_μ ← (1 − m) r_μ + m μ`, `r_σ² ← (1 − m) r_σ² + m σ² M/(M − 1)`.
/// Backward: `∂L/∂γ += Σ g x̂`, `∂L/∂β += Σ g`,
/// `∂L/∂x = γ/√(σ² + ε) · (g − mean g − x̂ · mean(g x̂))` (Ioffe & Szegedy, 2015).
/// Evaluation: `x̂ = (x − r_μ)/√(r_σ² + ε)`, and `∂L/∂x = γ g/√(r_σ² + ε)`.
///
/// Synchronised batch norm (SyncBN, with a `reducer`): the per-channel sums `Σ x`, `Σ (x − μ)²`
/// and the count are summed over all ranks before they are used, so `M = Σ_ranks N·S` and the
/// statistics are the whole global batch's (the same two-pass arithmetic); backward,
/// `∂L/∂x = γ/√(σ² + ε) · (g − (Σ_ranks Σ g)/M − x̂ (Σ_ranks Σ g x̂)/M)`, while `∂L/∂γ`, `∂L/∂β`
/// keep the *local* sums (the trainer's gradient all-reduce adds them). Reference: PyTorch
/// `torch.nn.SyncBatchNorm` (`batch_norm_gather_stats`, `batch_norm_backward_reduce`).
final class BatchNormKernel<Scalar: BLASScalar> {
    let channels: Int
    let momentum: Scalar
    let epsilon: Scalar
    let weight: Parameter<Scalar>
    let bias: Parameter<Scalar>
    let runningMean: Parameter<Scalar>
    let runningVar: Parameter<Scalar>

    /// The input `x` of the last forward (shared, not copied), the `μ` and `1/√(σ² + ε)` it was
    /// normalised with per channel, and whether they were batch statistics. The backward pass
    /// recomputes `x̂ = (x − μ)/√(σ² + ε)` from them, bit for bit as the forward did, instead of
    /// the forward writing and keeping a second activation-sized array.
    var input: [Scalar] = []
    var usedMean: [Scalar] = []
    var inverseStd: [Scalar] = []
    /// `γ` and `β` as the last forward used them (the fused ReLU's mask is recomputed from them).
    var usedWeight: [Scalar] = []
    var usedBias: [Scalar] = []
    var cachedTraining = true
    var cachedShape: (n: Int, s: Int) = (0, 0)
    /// SyncBN: sums statistics over the ranks of a data-parallel group (`nil`: this process only).
    var reducer: (any BatchStatisticsReducer)?
    /// The value count `M` per channel of the last training forward (over all ranks with SyncBN).
    var statisticsCount = 0

    init(channels: Int, momentum: Scalar, epsilon: Scalar) {
        precondition(channels > 0, "BatchNorm needs a positive channel count, got \(channels)")
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        weight = Parameter(.ones([channels]), name: "weight", isWeight: false)
        bias = Parameter(.zeros([channels]), name: "bias", isWeight: false)
        runningMean = Parameter(.zeros([channels]), name: "running_mean", isWeight: false)
        runningVar = Parameter(.ones([channels]), name: "running_var", isWeight: false)
    }

    init(copying o: BatchNormKernel) {
        channels = o.channels
        momentum = o.momentum
        epsilon = o.epsilon
        weight = o.weight.copy()
        bias = o.bias.copy()
        runningMean = o.runningMean.copy()
        runningVar = o.runningVar.copy()
        reducer = o.reducer
    }

    /// Blocks of images for the passes below. Fixed by `N` alone, not by the thread count, so
    /// that per-channel sums — added block by block, in block order — come out the same on any
    /// number of cores.
    static func blockCount(_ n: Int) -> Int { Swift.max(1, Swift.min(n, 8)) }

    /// Calls `body(b, partial)` for every image `b`, blocks of images in parallel, and returns the
    /// `width` rows of `C` sums that the calls add into `partial` (each block has its own rows;
    /// they are added in block order).
    ///
    /// The passes walk memory in order — image by image, channel by channel. (Walking channel by
    /// channel instead reads rows `C·S` scalars apart: on small maps, e.g. 4×4, one cache line
    /// per 16 KB, which the caches keep poorly.)
    @inline(__always)
    private func forEachImage(n N: Int, sums width: Int, serial: Bool,
                              _ body: (_ b: Int, _ partial: UnsafeMutablePointer<Scalar>) -> Void) -> [Scalar] {
        let row = width * channels, blocks = Self.blockCount(N), perBlock = (N + blocks - 1) / blocks
        var partial = [Scalar](repeating: 0, count: Swift.max(1, blocks * row))
        partial.withUnsafeMutableBufferPointer { pp in
            guard let p0 = pp.baseAddress else { return }
            parallelFor(blocks, serial: serial) { k in
                let p = p0 + k * row
                for b in Swift.min(N, k * perBlock)..<Swift.min(N, (k + 1) * perBlock) { body(b, p) }
            }
        }
        var sums = [Scalar](repeating: 0, count: row)
        for k in 0..<blocks { for j in 0..<row { sums[j] += partial[k * row + j] } }
        return sums
    }

    // x: (N, C, S) → y: (N, C, S)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    /// With `rectified`, returns `max(y, 0)` instead (a following ReLU fused into the same pass).
    /// Three passes over `x`: `Σ x`, then `Σ (x − μ)²` around the mean (two-pass variance: no
    /// cancellation), then `y`; with a `reducer`, each sum is all-reduced before it is used.
    func forward(_ x: [Scalar], n N: Int, s S: Int, training: Bool, rectified: Bool = false) -> [Scalar] {
        let C = channels, reducer = training ? self.reducer : nil
        precondition(x.count == N * C * S, "BatchNorm: \(x.count) values for (N \(N), C \(C), S \(S))")
        precondition(!training || reducer != nil || N * S > 1,
                     "BatchNorm in training mode needs more than one value per channel, got N·S = \(N * S)")
        // Every element of `y` is written below: no zero fill.
        var y = [Scalar](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
        input = x
        let serial = x.count < 1 << 14
        let rm = runningMean.value.scalars, rv = runningVar.value.scalars
        var variances: [Scalar] = []
        if training {
            var M = N * S
            x.withUnsafeBufferPointer { xp in
                guard let x0 = xp.baseAddress else { return }
                var sums = forEachImage(n: N, sums: 1, serial: serial) { b, p in
                    for c in 0..<C { let xr = x0 + (b * C + c) * S; p[c] += laneSum(S) { xr[$0] } }
                }
                if let reducer {
                    sums.append(Scalar(M))
                    reducer.allReduceSum(&sums)
                    M = Int(sums.removeLast().rounded())
                    precondition(M > 1, "synchronised BatchNorm needs more than one value per channel over all ranks, got \(M)")
                }
                let means = sums.map { $0 / Scalar(M) }
                var squares = means.withUnsafeBufferPointer { mp in
                    forEachImage(n: N, sums: 1, serial: serial) { b, p in
                        guard let m0 = mp.baseAddress else { return }
                        for c in 0..<C {
                            let xr = x0 + (b * C + c) * S, mu = m0[c]
                            p[c] += laneSum(S) { let d = xr[$0] - mu; return d * d }
                        }
                    }
                }
                reducer?.allReduceSum(&squares)
                variances = squares.map { $0 / Scalar(M) }
                usedMean = means
            }
            inverseStd = variances.map { 1 / ($0 + epsilon).squareRoot() }
            statisticsCount = M
        } else {
            usedMean = rm
            inverseStd = rv.map { 1 / ($0 + epsilon).squareRoot() }
        }
        usedWeight = weight.value.scalars
        usedBias = bias.value.scalars
        let constants = usedMean + inverseStd + usedWeight + usedBias   // μ | 1/√(σ² + ε) | γ | β
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                constants.withUnsafeBufferPointer { kp in
                    guard let x0 = xp.baseAddress, let y0 = yp.baseAddress, let k0 = kp.baseAddress else { return }
                    _ = forEachImage(n: N, sums: 0, serial: serial) { b, _ in
                        for c in 0..<C {
                            let mu = k0[c], ic = k0[C + c], gc = k0[2 * C + c], bc = k0[3 * C + c]
                            let xr = x0 + (b * C + c) * S, yr = y0 + (b * C + c) * S
                            if rectified {
                                for q in 0..<S { let h = (xr[q] - mu) * ic; yr[q] = Swift.max(gc * h + bc, 0) }
                            } else {
                                for q in 0..<S { let h = (xr[q] - mu) * ic; yr[q] = gc * h + bc }
                            }
                        }
                    }
                }
            }
        }
        if training {
            let m = momentum, M = statisticsCount, unbias = Scalar(M) / Scalar(M - 1), means = usedMean
            runningMean.value.scalars = (0..<C).map { (1 - m) * rm[$0] + m * means[$0] }
            runningVar.value.scalars = (0..<C).map { (1 - m) * rv[$0] + m * variances[$0] * unbias }
        }
        cachedTraining = training
        cachedShape = (N, S)
        return y
    }

    // g: (N, C, S) → ∂L/∂x: (N, C, S)
    /// With `rectified` (the forward returned `max(y, 0)`), `g` is first masked by `[y > 0]`: the
    /// backward pass of the fused ReLU, in the same pass. The mask is recomputed from `x` with the
    /// forward's `μ`, `1/√(σ² + ε)`, `γ`, `β` — the same arithmetic, so the same bits as `y > 0` —
    /// instead of reading the output back. Two passes: `Σ g` and `Σ g x̂` (all-reduced for
    /// `∂L/∂x` with SyncBN), then `∂L/∂x`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(_ g: [Scalar], rectified: Bool = false) -> [Scalar] {
        let (N, S) = cachedShape, C = channels
        precondition(g.count == N * C * S && input.count == g.count,
                     "BatchNorm backward: gradient of \(g.count) values, forward had \(input.count)")
        let training = cachedTraining, reducer = training ? self.reducer : nil
        let M = training ? statisticsCount : N * S, serial = g.count < 1 << 14
        // Every element is written below: no zero fill.
        var gx = [Scalar](unsafeUninitializedCapacity: g.count) { _, count in count = g.count }
        let constants = usedMean + inverseStd + usedWeight + usedBias   // μ | 1/√(σ² + ε) | γ | β
        var sums: [Scalar] = []   // Σ g·[y > 0] | Σ g·[y > 0]·x̂, per channel, this process's
        g.withUnsafeBufferPointer { gp in
            input.withUnsafeBufferPointer { xp in
                gx.withUnsafeMutableBufferPointer { gxp in
                    constants.withUnsafeBufferPointer { kp in
                        guard let g0 = gp.baseAddress, let x0 = xp.baseAddress, let d0 = gxp.baseAddress,
                              let k0 = kp.baseAddress else { return }
                        sums = forEachImage(n: N, sums: 2, serial: serial) { b, p in
                            for c in 0..<C {
                                let mu = k0[c], ic = k0[C + c], gc = k0[2 * C + c], bc = k0[3 * C + c]
                                let gr = g0 + (b * C + c) * S, xr = x0 + (b * C + c) * S
                                if rectified {
                                    // `g` is loaded before the comparison: a select, not a branch on the mask.
                                    p[c] += laneSum(S) { let v = gr[$0], h = (xr[$0] - mu) * ic; return gc * h + bc > 0 ? v : 0 }
                                    p[C + c] += laneSum(S) { let v = gr[$0], h = (xr[$0] - mu) * ic; return (gc * h + bc > 0 ? v : 0) * h }
                                } else {
                                    p[c] += laneSum(S) { gr[$0] }
                                    p[C + c] += laneSum(S) { gr[$0] * ((xr[$0] - mu) * ic) }
                                }
                            }
                        }
                        var global = sums
                        reducer?.allReduceSum(&global)
                        global.withUnsafeBufferPointer { sp in
                            guard let s0 = sp.baseAddress else { return }
                            _ = forEachImage(n: N, sums: 0, serial: serial) { b, _ in
                                for c in 0..<C {
                                    let mu = k0[c], ic = k0[C + c], gc = k0[2 * C + c], bc = k0[3 * C + c], scale = gc * ic
                                    let meanG = training ? s0[c] / Scalar(M) : 0, meanGH = training ? s0[C + c] / Scalar(M) : 0
                                    let gr = g0 + (b * C + c) * S, xr = x0 + (b * C + c) * S, dr = d0 + (b * C + c) * S
                                    if rectified {
                                        for q in 0..<S {
                                            let v = gr[q], h = (xr[q] - mu) * ic
                                            dr[q] = scale * ((gc * h + bc > 0 ? v : 0) - meanG - h * meanGH)
                                        }
                                    } else {
                                        for q in 0..<S { dr[q] = scale * (gr[q] - meanG - ((xr[q] - mu) * ic) * meanGH) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        weight.grad.scalars.withUnsafeMutableBufferPointer { for c in 0..<C { $0[c] += sums[C + c] } }
        bias.grad.scalars.withUnsafeMutableBufferPointer { for c in 0..<C { $0[c] += sums[c] } }
        return gx
    }
}

/// `Σ_{q<n} term(q)`, accumulated in 8 interleaved partial sums (`q mod 8`) combined pairwise at
/// the end, so that the compiler can keep them in one vector register: a fixed, deterministic
/// order that is not the left-to-right one (a serial sum is bound by the latency of each add).
@inline(__always)
func laneSum<Scalar: BLASScalar>(_ n: Int, _ term: (Int) -> Scalar) -> Scalar {
    var (a0, a1, a2, a3, a4, a5, a6, a7): (Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar, Scalar) = (0, 0, 0, 0, 0, 0, 0, 0)
    var q = 0
    while q + 8 <= n {
        a0 += term(q); a1 += term(q + 1); a2 += term(q + 2); a3 += term(q + 3)
        a4 += term(q + 4); a5 += term(q + 5); a6 += term(q + 6); a7 += term(q + 7)
        q += 8
    }
    while q < n { a0 += term(q); q += 1 }
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
}
