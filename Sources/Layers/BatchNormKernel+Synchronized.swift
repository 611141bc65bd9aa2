import TensorCore

/// Synchronised batch norm (SyncBN): the kernel's training forward and backward with the
/// per-channel sums reduced over all ranks by `reducer`.
///
/// With `M = Σ_ranks N·S` the global count: `μ = (Σ_ranks Σ x)/M`, `σ² = (Σ_ranks Σ (x − μ)²)/M`
/// (two reductions, the same two-pass arithmetic as the local kernel), running statistics with
/// `M/(M − 1)`; backward `∂L/∂x = γ/√(σ² + ε) · (g − (Σ_ranks Σ g)/M − x̂ (Σ_ranks Σ g x̂)/M)`,
/// while `∂L/∂γ`, `∂L/∂β` keep the *local* sums (the trainer's gradient all-reduce adds them).
/// Reference: PyTorch `torch.nn.SyncBatchNorm` (`batch_norm_gather_stats`, `batch_norm_backward_reduce`).
extension BatchNormKernel {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func synchronizedForward(_ x: [Scalar], n N: Int, s S: Int, reducer: any BatchStatisticsReducer,
                             rectified: Bool) -> [Scalar] {
        let C = channels
        precondition(x.count == N * C * S, "BatchNorm: \(x.count) values for (N \(N), C \(C), S \(S))")
        // Pass 1: Σ x per channel and the local count, summed over ranks.
        var sums = [Scalar](repeating: 0, count: C + 1)
        x.withUnsafeBufferPointer { xp in
            for c in 0..<C {
                var sum: Scalar = 0
                for b in 0..<N { sum += laneSum(S) { xp[(b * C + c) * S + $0] } }
                sums[c] = sum
            }
        }
        sums[C] = Scalar(N * S)
        reducer.allReduceSum(&sums)
        let M = Int(sums[C].rounded())
        precondition(M > 1, "synchronised BatchNorm needs more than one value per channel over all ranks, got \(M)")
        let means = (0..<C).map { sums[$0] / Scalar(M) }
        // Pass 2: Σ (x − μ)² per channel around the global mean, summed over ranks.
        var squares = [Scalar](repeating: 0, count: C)
        x.withUnsafeBufferPointer { xp in
            for c in 0..<C {
                let mu = means[c]
                var ss: Scalar = 0
                for b in 0..<N {
                    let o = (b * C + c) * S
                    ss += laneSum(S) { let d = xp[o + $0] - mu; return d * d }
                }
                squares[c] = ss
            }
        }
        reducer.allReduceSum(&squares)
        let variances = squares.map { $0 / Scalar(M) }
        inverseStd = variances.map { 1 / ($0 + epsilon).squareRoot() }
        // Pass 3: normalise with the global statistics (and the fused ReLU's max(y, 0)).
        var y = [Scalar](repeating: 0, count: x.count)
        let gamma = weight.value.scalars, beta = bias.value.scalars, inv = inverseStd
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                guard let x0 = xp.baseAddress, let y0 = yp.baseAddress else { return }
                for b in 0..<N {
                    for c in 0..<C {
                        let o = (b * C + c) * S, mu = means[c], ic = inv[c], gc = gamma[c], bc = beta[c]
                        let xr = x0 + o, yr = y0 + o
                        for q in 0..<S {
                            let v = gc * ((xr[q] - mu) * ic) + bc
                            yr[q] = rectified ? max(v, 0) : v
                        }
                    }
                }
            }
        }
        input = x
        usedMean = means
        usedWeight = gamma
        usedBias = beta
        let m = momentum, unbias = Scalar(M) / Scalar(M - 1)
        for c in 0..<C {
            runningMean.value.scalars[c] = (1 - m) * runningMean.value.scalars[c] + m * means[c]
            runningVar.value.scalars[c] = (1 - m) * runningVar.value.scalars[c] + m * variances[c] * unbias
        }
        cachedTraining = true
        cachedShape = (N, S)
        synchronizedCount = M
        return y
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func synchronizedBackward(_ g: [Scalar], reducer: any BatchStatisticsReducer, rectified: Bool) -> [Scalar] {
        let (N, S) = cachedShape, C = channels, M = synchronizedCount
        precondition(g.count == N * C * S && input.count == g.count,
                     "BatchNorm backward: gradient of \(g.count) values, forward had \(input.count)")
        // x̂ = (x − μ)/√(σ² + ε), recomputed exactly as the forward computed it; then the fused
        // ReLU's backward: g ← g · [y > 0], with y = γ x̂ + β as the forward had it.
        var g = g
        var normalized = [Scalar](repeating: 0, count: g.count)
        let gammaUsed = usedWeight, betaUsed = usedBias
        input.withUnsafeBufferPointer { xp in
            normalized.withUnsafeMutableBufferPointer { hp in
                for b in 0..<N {
                    for c in 0..<C {
                        let o = (b * C + c) * S, mu = usedMean[c], ic = inverseStd[c]
                        for q in 0..<S {
                            let h = (xp[o + q] - mu) * ic
                            hp[o + q] = h
                            if rectified && !(gammaUsed[c] * h + betaUsed[c] > 0) { g[o + q] = 0 }
                        }
                    }
                }
            }
        }
        // Local Σ g and Σ g x̂ per channel: [Σg (C) | Σgx̂ (C)].
        var local = [Scalar](repeating: 0, count: 2 * C)
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { hp in
                for c in 0..<C {
                    var sg: Scalar = 0, sgh: Scalar = 0
                    for b in 0..<N {
                        let o = (b * C + c) * S
                        sg += laneSum(S) { gp[o + $0] }
                        sgh += laneSum(S) { gp[o + $0] * hp[o + $0] }
                    }
                    local[c] = sg
                    local[C + c] = sgh
                }
            }
        }
        var global = local
        reducer.allReduceSum(&global)
        var gx = [Scalar](repeating: 0, count: g.count)
        let gamma = usedWeight, inv = inverseStd
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { hp in
                gx.withUnsafeMutableBufferPointer { dp in
                    guard let g0 = gp.baseAddress, let h0 = hp.baseAddress, let d0 = dp.baseAddress else { return }
                    for b in 0..<N {
                        for c in 0..<C {
                            let o = (b * C + c) * S, scale = gamma[c] * inv[c]
                            let meanG = global[c] / Scalar(M), meanGH = global[C + c] / Scalar(M)
                            let gr = g0 + o, hr = h0 + o, dr = d0 + o
                            for q in 0..<S { dr[q] = scale * (gr[q] - meanG - hr[q] * meanGH) }
                        }
                    }
                }
            }
        }
        for c in 0..<C {
            bias.grad.scalars[c] += local[c]
            weight.grad.scalars[c] += local[C + c]
        }
        return gx
    }
}
