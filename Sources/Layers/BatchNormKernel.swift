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

    /// `x̂` of the last forward, `1/√(σ² + ε)` per channel, and whether it used batch statistics.
    private var normalized: [Scalar] = []
    private var inverseStd: [Scalar] = []
    private var cachedTraining = true
    private var cachedShape: (n: Int, s: Int) = (0, 0)

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
    }

    // x: (N, C, S) → y: (N, C, S)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ x: [Scalar], n N: Int, s S: Int, training: Bool) -> [Scalar] {
        let C = channels, M = N * S
        precondition(x.count == N * C * S, "BatchNorm: \(x.count) values for (N \(N), C \(C), S \(S))")
        precondition(!training || M > 1, "BatchNorm in training mode needs more than one value per channel, got N·S = \(M)")
        // Every element of `y` and `x̂` is written below: no zero fill; `x̂` keeps its buffer between
        // steps of the same shape (it is referenced only here, so writing it does not copy).
        var y = [Scalar](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
        if normalized.count != x.count {
            normalized = []
            normalized = [Scalar](unsafeUninitializedCapacity: x.count) { _, count in count = x.count }
        }
        inverseStd = [Scalar](repeating: 0, count: C)
        var means = [Scalar](repeating: 0, count: C), variances = [Scalar](repeating: 0, count: C)
        let gamma = weight.value.scalars, beta = bias.value.scalars
        let rm = runningMean.value.scalars, rv = runningVar.value.scalars
        let eps = epsilon
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                normalized.withUnsafeMutableBufferPointer { hp in
                    inverseStd.withUnsafeMutableBufferPointer { ip in
                        means.withUnsafeMutableBufferPointer { mp in
                            variances.withUnsafeMutableBufferPointer { vp in
                                parallelFor(C, serial: x.count < 1 << 14) { c in
                                    var mu: Scalar, inv: Scalar
                                    if training {
                                        var sum: Scalar = 0
                                        for b in 0..<N { let o = (b * C + c) * S; for q in 0..<S { sum += xp[o + q] } }
                                        mu = sum / Scalar(M)
                                        var ss: Scalar = 0
                                        for b in 0..<N {
                                            let o = (b * C + c) * S
                                            for q in 0..<S { let d = xp[o + q] - mu; ss += d * d }
                                        }
                                        let v = ss / Scalar(M)
                                        mp[c] = mu
                                        vp[c] = v
                                        inv = 1 / (v + eps).squareRoot()
                                    } else {
                                        mu = rm[c]
                                        inv = 1 / (rv[c] + eps).squareRoot()
                                    }
                                    ip[c] = inv
                                    let gc = gamma[c], bc = beta[c]
                                    for b in 0..<N {
                                        let o = (b * C + c) * S
                                        for q in 0..<S {
                                            let h = (xp[o + q] - mu) * inv
                                            hp[o + q] = h
                                            yp[o + q] = gc * h + bc
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
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func backward(_ g: [Scalar]) -> [Scalar] {
        let (N, S) = cachedShape, C = channels, M = N * S
        precondition(g.count == N * C * S && normalized.count == g.count,
                     "BatchNorm backward: gradient of \(g.count) values, forward had \(normalized.count)")
        // Every element is written below: no zero fill.
        var gx = [Scalar](unsafeUninitializedCapacity: g.count) { _, count in count = g.count }
        var dGamma = [Scalar](repeating: 0, count: C), dBeta = [Scalar](repeating: 0, count: C)
        let gamma = weight.value.scalars, training = cachedTraining
        g.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { hp in
                inverseStd.withUnsafeBufferPointer { ip in
                    gx.withUnsafeMutableBufferPointer { gxp in
                        dGamma.withUnsafeMutableBufferPointer { dgp in
                            dBeta.withUnsafeMutableBufferPointer { dbp in
                                parallelFor(C, serial: g.count < 1 << 14) { c in
                                    var sg: Scalar = 0, sgh: Scalar = 0
                                    for b in 0..<N {
                                        let o = (b * C + c) * S
                                        for q in 0..<S { sg += gp[o + q]; sgh += gp[o + q] * hp[o + q] }
                                    }
                                    dgp[c] = sgh
                                    dbp[c] = sg
                                    let scale = gamma[c] * ip[c]
                                    let meanG = training ? sg / Scalar(M) : 0, meanGH = training ? sgh / Scalar(M) : 0
                                    for b in 0..<N {
                                        let o = (b * C + c) * S
                                        for q in 0..<S { gxp[o + q] = scale * (gp[o + q] - meanG - hp[o + q] * meanGH) }
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
