import Foundation
import TensorCore
import Layers
import Methods
import SSL

/// Finite-difference checks of the current method on the current batch, in `Double`.
///
/// Derivatives use the fourth-order central stencil, Richardson-extrapolated (`(16 D(h/2) − D(h))/15`),
/// `f'(x) ≈ (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h` (error `O(h⁴)`). With
/// `h = 6e-3·rms(z)` on the features (truncation and rounding errors both near `1e-12`), analytic and numeric
/// gradients agree to eight to ten significant digits (tolerance 1e-6) (relative error `|a − n| / max(|a|, |n|, 1e-4·max|a|)`,
/// so entries far below the gradient's scale are not judged against themselves). Network parameters use `h = 1e-6` and a looser
/// tolerance (1e-4): a ReLU whose input crosses zero inside the stencil adds an error that grows with `h`.
/// Reference: Fornberg (1988); CS231n's gradient check.
enum GradientCheck {
    /// The outcome of one check: how many coordinates, the worst errors, and where.
    struct Outcome {
        var what: String
        var checked: Int
        var maxAbsoluteError: Double
        var maxRelativeError: Double
        var worstAnalytic: Double
        var worstNumeric: Double
        var tolerance: Double
        /// The largest |analytic| among the checked coordinates (the gradient's scale).
        var scale = 0.0

        var passed: Bool { maxRelativeError.isFinite && maxRelativeError <= tolerance }
        /// About how many significant digits agree, `⌊−log10(rel err)⌋`.
        var digits: Int { maxRelativeError > 0 ? max(0, Int(floor(-log10(maxRelativeError)))) : 16 }

        var line: String {
            TextFormat.pad(what, 30) + " \(TextFormat.lpad(String(checked), 5)) coords  max abs err \(TextFormat.number(maxAbsoluteError, digits: 2)) (\(TextFormat.number(maxAbsoluteError / Swift.max(scale, 1e-300), digits: 2))·max|∂|)"
                + "  max rel err \(TextFormat.number(maxRelativeError, digits: 2))  (\(digits) digits; tol \(TextFormat.number(tolerance, digits: 1)))  "
                + (passed ? "PASS" : "FAIL")
        }
    }

    /// `f'` at coordinate `i` of `x` by the fourth-order stencil.
    static func derivative(_ f: (Tensor<Double>) -> Double, at x: Tensor<Double>, coordinate i: Int, step h: Double) -> Double {
        var xp = x
        let xi = x.scalars[i]
        func at(_ d: Double) -> Double { xp.scalars[i] = xi + d; return f(xp) }
        func stencil(_ h: Double) -> Double { (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h) }
        // Richardson extrapolation removes the h⁴ term: (16 D(h/2) − D(h)) / 15, error O(h⁶).
        return (16 * stencil(h / 2) - stencil(h)) / 15
    }

    /// Compares `analytic` with the stencil at `coordinates`.
    static func compare(_ what: String, analytic: Tensor<Double>, f: (Tensor<Double>) -> Double, at x: Tensor<Double>,
                        coordinates: [Int], step h: Double, tolerance: Double, floor: Double = 1e-10,
                        interrupt: InterruptFlag? = nil) -> Outcome {
        // Entries far below the gradient's largest are judged against 1e-4 of it, not against themselves.
        let floor = Swift.max(floor, 1e-4 * coordinates.reduce(0.0) { Swift.max($0, Swift.abs(analytic.scalars[$1])) })
        var o = Outcome(what: what, checked: 0, maxAbsoluteError: 0, maxRelativeError: 0, worstAnalytic: 0, worstNumeric: 0, tolerance: tolerance)
        for i in coordinates {
            if interrupt?.isRaised == true { break }
            let a = analytic.scalars[i], n = derivative(f, at: x, coordinate: i, step: h)
            let abs = Swift.abs(a - n), rel = abs / Swift.max(Swift.abs(a), Swift.abs(n), floor)
            o.checked += 1
            o.scale = Swift.max(o.scale, Swift.abs(a))
            o.maxAbsoluteError = Swift.max(o.maxAbsoluteError, abs.isNaN ? .infinity : abs)
            if rel > o.maxRelativeError || rel.isNaN {
                o.maxRelativeError = rel.isNaN ? .infinity : rel
                o.worstAnalytic = a
                o.worstNumeric = n
            }
        }
        return o
    }

    /// The features' step: `6e-3 · rms(x)`, so the stencil sees the same relative perturbation whatever the
    /// scale of `z` (the derivatives of `u = z/‖z‖` grow like `1/‖z‖ᵏ`).
    static func scaledStep(_ x: Tensor<Double>) -> Double {
        Swift.max(1e-8, 6e-3 * (x.squaredNorm() / Double(Swift.max(x.count, 1))).squareRoot())
    }

    /// `count` coordinates of `0..<total` drawn with a seeded generator (all when `count ≥ total`).
    static func coordinates(total: Int, count: Int, seed: UInt64) -> [Int] {
        guard count < total else { return Array(0..<total) }
        var rng = RandomGenerator(seed: seed)
        return Array(rng.permutation(total).prefix(count)).sorted()
    }

    /// The method's value as a function of the features with everything else fixed: the loss, or
    /// for a surrogate the surrogate with its gradient matrices `g` held constant.
    static func objective(_ method: any SSLMethod<Double>, batch fb: FeatureBatch,
                          surrogate: SurrogateGradients<Double>?) -> (Tensor<Double>, Tensor<Double>) -> Double {
        if let sg = surrogate {
            return { z1, z2 in sg.value(z1: z1, z2: z2) }
        }
        return { z1, z2 in
            var b = fb
            b.z1 = z1
            b.z2 = z2
            return Double(b.evaluate(method, decompose: false).loss)
        }
    }

    /// ∂L/∂z1 and ∂L/∂z2 of `method` on the batch features against finite differences.
    static func features(_ method: any SSLMethod<Double>, batch fb: FeatureBatch, coordinates count: Int,
                         interrupt: InterruptFlag) -> [Outcome] {
        let r = fb.evaluate(method, decompose: false)
        let f = objective(method, batch: fb, surrogate: r.surrogate)
        let kind = r.lossKind == .loss ? "loss" : "surrogate"
        let o1 = compare("∂\(kind)/∂z1 (features)", analytic: r.gradZ1, f: { f($0, fb.z2) }, at: fb.z1,
                         coordinates: coordinates(total: fb.z1.count, count: count, seed: 1), step: scaledStep(fb.z1), tolerance: 1e-6,
                         interrupt: interrupt)
        let o2 = compare("∂\(kind)/∂z2 (features)", analytic: r.gradZ2, f: { f(fb.z1, $0) }, at: fb.z2,
                         coordinates: coordinates(total: fb.z2.count, count: count, seed: 2), step: scaledStep(fb.z2), tolerance: 1e-6,
                         interrupt: interrupt)
        return [o1, o2]
    }

    /// Sampled network parameters: a Double copy of the online network (batch norm in training
    /// mode), the targets of this batch held fixed, backward vs finite differences of the method's
    /// value through the whole network.
    static func parameters(_ method: any SSLMethod<Double>, batch fb: FeatureBatch, views: (Tensor<Float>, Tensor<Float>),
                           config c: TrainingConfig, trainer t: Trainer, inputChannels: Int, perTensor: Int,
                           interrupt: InterruptFlag) throws -> [Outcome] {
        let model: SiameseModel<Double>
        do {
            model = try RunFactory.siameseModel(c, inputChannels: inputChannels, target: .stopgrad)
        } catch {
            throw LabError("\(error)")
        }
        let source = t.model.parameters, copy = model.parameters
        guard source.count == copy.count else { throw LabError("cannot mirror the model in Double (\(source.count) vs \(copy.count) parameters)") }
        for (p, q) in zip(source, copy) {
            guard p.value.shape == q.value.shape else { throw LabError("cannot mirror parameter \(p.name) in Double") }
            q.value = p.value.converted(to: Double.self)
        }
        model.setTraining(true)
        let x1 = views.0.converted(to: Double.self), x2 = views.1.converted(to: Double.self)
        let base = model.forward(x1, x2)
        var at = fb
        at.z1 = base.z1
        at.z2 = base.z2
        let r = at.evaluate(method, decompose: false)
        for p in copy { p.zeroGrad() }
        model.backward(gradZ1: r.gradZ1, gradZ2: r.gradZ2)
        let f = objective(method, batch: fb, surrogate: r.surrogate)
        // The first and last weight of the encoder, the projector's last weight and bias, the predictor's first weight.
        var chosen: [Parameter<Double>] = []
        for group in [model.encoder.parameters, model.projector.parameters, model.predictor?.parameters ?? []] where !group.isEmpty {
            let weights = group.filter { $0.value.rank >= 2 }
            if let first = weights.first { chosen.append(first) }
            if let last = group.last, last !== weights.first { chosen.append(last) }
        }
        var outcomes: [Outcome] = []
        for (k, p) in chosen.enumerated() {
            let analytic = p.grad
            let original = p.value
            let o = compare(p.name, analytic: analytic, f: { v in
                p.value = v
                let out = model.forward(x1, x2)
                return f(out.z1, out.z2)
            }, at: original, coordinates: coordinates(total: original.count, count: perTensor, seed: UInt64(10 + k)),
                            step: 1e-6, tolerance: 1e-4, floor: 1e-9, interrupt: interrupt)
            p.value = original
            outcomes.append(o)
            if interrupt.isRaised { break }
        }
        return outcomes
    }
}
