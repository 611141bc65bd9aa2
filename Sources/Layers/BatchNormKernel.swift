import TensorCore

/// The arithmetic shared by `BatchNorm1d` and `BatchNorm2d`, on a tensor viewed as `(N, C, S)`
/// (`S = 1` for features, `S = H·W` for images); statistics are per channel over `M = N·S` values.
///
/// Training: `μ = mean x`, `σ² = mean (x − μ)²` (biased), `x̂ = (x − μ)/√(σ² + ε)`, `y = γ x̂ + β`;
/// running statistics `r_μ ← (1 − m) r_μ + m μ`, `r_σ² ← (1 − m) r_σ² + m σ² M/(M − 1)`.
/// Backward: `∂L/∂γ += Σ g x̂`, `∂L/∂β += Σ g`,
/// `∂L/∂x = γ/√(σ² + ε) · (g − mean g − x̂ · mean(g x̂))` (Ioffe & Szegedy, 2015).
/// Evaluation: `x̂ = (x − r_μ)/√(r_σ² + ε)`, and `∂L/∂x = γ g/√(r_σ² + ε)`.
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
    var cachedTraining = true
    var cachedShape: (n: Int, s: Int) = (0, 0)
    /// SyncBN: sums statistics over the ranks of a data-parallel group (`nil`: this process only).
    var reducer: (any BatchStatisticsReducer)?
    /// The global value count `M` of the last synchronised forward.
    var synchronizedCount = 0

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

    // x: (N, C, S) → y: (N, C, S)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    /// With `rectified`, returns `max(y, 0)` instead (a following ReLU fused into the same pass).
    func forward(_ x: [Scalar], n N: Int, s S: Int, training: Bool, rectified: Bool = false) -> [Scalar] {
        if training, let reducer { return synchronizedForward(x, n: N, s: S, reducer: reducer, rectified: rectified) }
        let C = channels, M = N * S
        precondition(x.count == N * C * S, "BatchNorm: \(x.count) values for (N \(N), C \(C), S \(S))")
        precondition(!training || M > 1, "BatchNorm in training mode needs more than one value per channel, got N·S = \(M)")
        // Every element of `y` is written below: no zero fill.
        var y = [Scalar](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
        input = x
        inverseStd = [Scalar](repeating: 0, count: C)
        usedMean = [Scalar](repeating: 0, count: C)
        var means = [Scalar](repeating: 0, count: C), variances = [Scalar](repeating: 0, count: C)
        let gamma = weight.value.scalars, beta = bias.value.scalars
        let rm = runningMean.value.scalars, rv = runningVar.value.scalars
        let eps = epsilon
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                usedMean.withUnsafeMutableBufferPointer { up in
                    inverseStd.withUnsafeMutableBufferPointer { ip in
                        means.withUnsafeMutableBufferPointer { mp in
                            variances.withUnsafeMutableBufferPointer { vp in
                                parallelFor(C, serial: x.count < 1 << 14) { c in
                                    var mu: Scalar, inv: Scalar
                                    if training {
                                        var sum: Scalar = 0
                                        for b in 0..<N { sum += laneSum(S) { xp[(b * C + c) * S + $0] } }
                                        mu = sum / Scalar(M)
                                        var ss: Scalar = 0
                                        for b in 0..<N {
                                            let o = (b * C + c) * S
                                            ss += laneSum(S) { let d = xp[o + $0] - mu; return d * d }
                                        }
                                        let v = ss / Scalar(M)
                                        mp[c] = mu
                                        vp[c] = v
                                        inv = 1 / (v + eps).squareRoot()
                                    } else {
                                        mu = rm[c]
                                        inv = 1 / (rv[c] + eps).squareRoot()
                                    }
                                    up[c] = mu
                                    ip[c] = inv
                                    let gc = gamma[c], bc = beta[c]
                                    // Plain pointers per row, so that the loop vectorises.
                                    if let x0 = xp.baseAddress, let y0 = yp.baseAddress {
                                        for b in 0..<N {
                                            let o = (b * C + c) * S
                                            let xr = x0 + o, yr = y0 + o
                                            if rectified {
                                                for q in 0..<S { let h = (xr[q] - mu) * inv; yr[q] = Swift.max(gc * h + bc, 0) }
                                            } else {
                                                for q in 0..<S { let h = (xr[q] - mu) * inv; yr[q] = gc * h + bc }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if training {
            let m = momentum, unbias = Scalar(M) / Scalar(M - 1)
            for c in 0..<C {
                runningMean.value.scalars[c] = (1 - m) * rm[c] + m * means[c]
                runningVar.value.scalars[c] = (1 - m) * rv[c] + m * variances[c] * unbias
            }
        }
        cachedTraining = training
        cachedShape = (N, S)
        return y
    }

    // g: (N, C, S) → ∂L/∂x: (N, C, S)
    /// With `rectifiedOutput` (the `max(y, 0)` of a fused forward), `g` is first masked by
    /// `[y > 0]`: the backward pass of the fused ReLU, in the same pass.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(_ g: [Scalar], rectifiedOutput: [Scalar]? = nil) -> [Scalar] {
        if cachedTraining, let reducer { return synchronizedBackward(g, reducer: reducer, rectifiedOutput: rectifiedOutput) }
        let (N, S) = cachedShape, C = channels, M = N * S
        precondition(g.count == N * C * S && input.count == g.count,
                     "BatchNorm backward: gradient of \(g.count) values, forward had \(input.count)")
        precondition(rectifiedOutput.map { $0.count == g.count } ?? true,
                     "BatchNorm backward: rectified output of \(rectifiedOutput?.count ?? 0) values, gradient \(g.count)")
        // Every element is written below: no zero fill.
        var gx = [Scalar](unsafeUninitializedCapacity: g.count) { _, count in count = g.count }
        var dGamma = [Scalar](repeating: 0, count: C), dBeta = [Scalar](repeating: 0, count: C)
        let gamma = weight.value.scalars, training = cachedTraining
        let mask = rectifiedOutput ?? [], masked = rectifiedOutput != nil
        g.withUnsafeBufferPointer { gp in
            input.withUnsafeBufferPointer { xp in
                mask.withUnsafeBufferPointer { yp in
                    usedMean.withUnsafeBufferPointer { up in
                        inverseStd.withUnsafeBufferPointer { ip in
                            gx.withUnsafeMutableBufferPointer { gxp in
                                dGamma.withUnsafeMutableBufferPointer { dgp in
                                    dBeta.withUnsafeMutableBufferPointer { dbp in
                                        parallelFor(C, serial: g.count < 1 << 14) { c in
                                            guard let g0 = gp.baseAddress, let x0 = xp.baseAddress, let d0 = gxp.baseAddress else { return }
                                            // x̂ = (x − μ)·inv, recomputed exactly as in the forward pass.
                                            let mu = up[c], inv = ip[c]
                                            var sg: Scalar = 0, sgh: Scalar = 0
                                            if masked, let y0 = yp.baseAddress {
                                                for b in 0..<N {
                                                    let gr = g0 + (b * C + c) * S, xr = x0 + (b * C + c) * S, yr = y0 + (b * C + c) * S
                                                    sg += laneSum(S) { let v = gr[$0]; return yr[$0] > 0 ? v : 0 }
                                                    sgh += laneSum(S) { let v = gr[$0]; return (yr[$0] > 0 ? v : 0) * ((xr[$0] - mu) * inv) }
                                                }
                                            } else {
                                                for b in 0..<N {
                                                    let gr = g0 + (b * C + c) * S, xr = x0 + (b * C + c) * S
                                                    sg += laneSum(S) { gr[$0] }
                                                    sgh += laneSum(S) { gr[$0] * ((xr[$0] - mu) * inv) }
                                                }
                                            }
                                            dgp[c] = sgh
                                            dbp[c] = sg
                                            let scale = gamma[c] * inv
                                            let meanG = training ? sg / Scalar(M) : 0, meanGH = training ? sgh / Scalar(M) : 0
                                            for b in 0..<N {
                                                let o = (b * C + c) * S
                                                let gr = g0 + o, xr = x0 + o, dr = d0 + o
                                                if masked, let y0 = yp.baseAddress {
                                                    let yr = y0 + o
                                                    for q in 0..<S {
                                                        let v = gr[q], gv = yr[q] > 0 ? v : 0
                                                        dr[q] = scale * (gv - meanG - ((xr[q] - mu) * inv) * meanGH)
                                                    }
                                                } else {
                                                    for q in 0..<S { dr[q] = scale * (gr[q] - meanG - ((xr[q] - mu) * inv) * meanGH) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<C {
            weight.grad.scalars[c] += dGamma[c]
            bias.grad.scalars[c] += dBeta[c]
        }
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
