import TensorCore

/// The outcome of comparing an analytic gradient with central finite differences.
public struct GradCheckReport: Sendable, CustomStringConvertible {
    /// `max_i |aᵢ − nᵢ|` over the checked coordinates.
    public var maxAbsoluteError: Double
    /// `max_i |aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|, floor)` over the checked coordinates.
    public var maxRelativeError: Double
    /// The flat index of the coordinate with the largest relative error.
    public var worstIndex: Int
    /// Analytic and numeric values at the worst coordinate.
    public var worstAnalytic: Double
    public var worstNumeric: Double
    /// How many coordinates were checked (all, or a sample for large tensors).
    public var checkedCount: Int

    /// True when the relative error is within `tolerance`.
    public func passes(_ tolerance: Double) -> Bool { maxRelativeError <= tolerance && maxRelativeError.isFinite }

    public var description: String {
        "checked \(checkedCount) coords: max abs err \(formatScalar(maxAbsoluteError, precision: 3)), "
            + "max rel err \(formatScalar(maxRelativeError, precision: 3)) at index \(worstIndex) "
            + "(analytic \(formatScalar(worstAnalytic, precision: 8)), numeric \(formatScalar(worstNumeric, precision: 8)))"
    }
}

/// Central finite differences in `Double`, in the spirit of CS231n's gradient check and
/// `torch.autograd.gradcheck`: `∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h`, error `O(h²)`.
public enum FiniteDifferences {
    /// The numerical gradient of a scalar function at `x`, for the given flat coordinates.
    public static func gradient(of f: (Tensor<Double>) -> Double, at x: Tensor<Double>,
                                coordinates: [Int], step h: Double = 1e-6) -> [Double] {
        var xp = x
        return coordinates.map { i in
            let xi = x.scalars[i]
            xp.scalars[i] = xi + h
            let fp = f(xp)
            xp.scalars[i] = xi - h
            let fm = f(xp)
            xp.scalars[i] = xi
            return (fp - fm) / (2 * h)
        }
    }

    /// The coordinates to check: all of them, or `sample` distinct ones drawn with a seeded generator.
    public static func coordinates(count: Int, sample: Int?, seed: UInt64 = 0) -> [Int] {
        guard let sample, sample < count else { return Array(0..<count) }
        var rng = RandomGenerator(seed: seed)
        return Array(rng.permutation(count).prefix(sample)).sorted()
    }

    /// Compares `analytic` (the claimed `∂f/∂x`) with central differences of `f` at `x`.
    ///
    /// - Parameters:
    ///   - sample: check only this many randomly chosen coordinates (for large tensors).
    ///   - floor: the smallest denominator of the relative error, so coordinates whose true
    ///     gradient is zero are judged by absolute error against `floor`.
    public static func check(analytic: Tensor<Double>, of f: (Tensor<Double>) -> Double,
                             at x: Tensor<Double>, step h: Double = 1e-6, sample: Int? = nil,
                             floor: Double = 1e-8, seed: UInt64 = 0) -> GradCheckReport {
        precondition(analytic.shape == x.shape, "analytic gradient \(analytic.shape) vs input \(x.shape)")
        let coords = coordinates(count: x.count, sample: sample, seed: seed)
        let numeric = gradient(of: f, at: x, coordinates: coords, step: h)
        return compare(analytic: coords.map { analytic.scalars[$0] }, numeric: numeric,
                       indices: coords, floor: floor)
    }

    /// Upstream-weighted check of a tensor-valued function `y = f(x)`: with a fixed random upstream
    /// `g` the scalar `⟨g, f(x)⟩` has gradient `Jᵀg`, which is what a backward pass returns.
    public static func checkVectorFunction(vectorJacobianProduct analytic: Tensor<Double>,
                                           upstream g: Tensor<Double>,
                                           of f: (Tensor<Double>) -> Tensor<Double>,
                                           at x: Tensor<Double>, step h: Double = 1e-6,
                                           sample: Int? = nil, floor: Double = 1e-8) -> GradCheckReport {
        check(analytic: analytic, of: { f($0).dot(g) }, at: x, step: h, sample: sample, floor: floor)
    }

    /// Compares two lists of derivatives coordinate by coordinate.
    public static func compare(analytic: [Double], numeric: [Double], indices: [Int],
                               floor: Double = 1e-8) -> GradCheckReport {
        var report = GradCheckReport(maxAbsoluteError: 0, maxRelativeError: 0, worstIndex: indices.first ?? 0,
                                     worstAnalytic: analytic.first ?? 0, worstNumeric: numeric.first ?? 0,
                                     checkedCount: indices.count)
        for (k, i) in indices.enumerated() {
            let a = analytic[k], n = numeric[k]
            let abs = Swift.abs(a - n)
            let rel = abs / Swift.max(Swift.abs(a), Swift.abs(n), floor)
            report.maxAbsoluteError = Swift.max(report.maxAbsoluteError, abs.isNaN ? .infinity : abs)
            if rel > report.maxRelativeError || rel.isNaN {
                report.maxRelativeError = rel.isNaN ? .infinity : rel
                report.worstIndex = i
                report.worstAnalytic = a
                report.worstNumeric = n
            }
        }
        return report
    }
}
