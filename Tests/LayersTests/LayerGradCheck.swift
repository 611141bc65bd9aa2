import GradCheck
import Layers
import TensorCore

/// Upstream-weighted finite-difference checks of a layer's backward pass, in Double.
///
/// With a fixed random upstream `g`, the scalar `⟨g, f(x; θ)⟩` has gradient `Jᵀg` with respect to
/// `x` and to each parameter `θ`; `backward(g)` must return the first and accumulate the second.
struct LayerGradCheck {
    /// The largest relative error over the input and all parameters, with a label per tensor.
    var reports: [(label: String, report: GradCheckReport)] = []

    var worst: Double { reports.map(\.report.maxRelativeError).max() ?? 0 }

    func passes(_ tolerance: Double = 1e-6) -> Bool { reports.allSatisfy { $0.report.passes(tolerance) } }

    var description: String { reports.map { "\($0.label): \($0.report)" }.joined(separator: "\n") }

    /// Runs the checks for `layer` at `x` with upstream drawn from `seed`.
    ///
    /// - Parameters:
    ///   - sample: check at most this many coordinates per tensor.
    ///   - floor: relative errors are measured against `max(|a|, |n|, floor)`: coordinates with
    ///     `|∂| ≥ floor` must agree to 1e−6 relatively, smaller ones to `1e−6·floor` absolutely
    ///     (the round-off of a central difference is about `1e−16·|f|/h`, whatever the size of ∂).
    init(_ layer: some Layer<Double>, at x: Tensor<Double>, seed: UInt64 = 7, sample: Int? = nil,
         step: Double = 1e-5, floor: Double = 1e-3) {
        var rng = RandomGenerator(seed: seed)
        let y = layer.forward(x)
        let g = Tensor<Double>.randomNormal(y.shape, using: &rng)
        layer.zeroGrad()
        _ = layer.forward(x)
        let gx = layer.backward(g)
        let analyticParams = layer.parameters.map(\.grad)
        reports.append(("input", FiniteDifferences.check(analytic: gx, of: { layer.forward($0).dot(g) }, at: x,
                                                          step: step, sample: sample, floor: floor)))
        for (p, analytic) in zip(layer.parameters, analyticParams) {
            let saved = p.value
            let report = FiniteDifferences.check(analytic: analytic, of: { v in
                p.value = v
                defer { p.value = saved }
                return layer.forward(x).dot(g)
            }, at: saved, step: step, sample: sample, floor: floor)
            reports.append((p.name, report))
        }
    }
}

/// Normal samples that stay at least `margin` away from zero, so that ReLU kinks are not crossed
/// by a finite-difference step.
func awayFromZero(_ shape: [Int], margin: Double = 1e-2, using rng: inout RandomGenerator) -> Tensor<Double> {
    var t = Tensor<Double>.randomNormal(shape, using: &rng)
    for i in t.scalars.indices where abs(t.scalars[i]) < margin {
        t.scalars[i] = t.scalars[i] < 0 ? t.scalars[i] - margin : t.scalars[i] + margin
    }
    return t
}

/// Distinct values in random order (`0.01·π(i)` shifted to mean zero): every max-pool window has
/// a unique maximum with a margin of at least 0.01.
func distinctValues(_ shape: [Int], using rng: inout RandomGenerator) -> Tensor<Double> {
    let n = shape.reduce(1, *)
    let p = rng.permutation(n)
    return Tensor(shape: shape, scalars: p.map { 0.01 * (Double($0) - Double(n) / 2) })
}

/// The smallest `|v|` over the given tensors (pre-activations entering a ReLU).
func minAbs(_ tensors: [Tensor<Double>]) -> Double {
    tensors.flatMap(\.scalars).map { abs($0) }.min() ?? .infinity
}
