import GradCheck
import TensorCore

// Building blocks of the derivation checks: seeded inputs that look like real features,
// comparisons of two sides of a claim, finite differences, cosines of tangent-projected gradients.
// Written once here so that every check reads as "left side, right side, compare".

/// Helpers shared by the derivation checks (all in `Double`).
public enum CheckKit {
    /// The default relative tolerance of an exact claim checked by central differences.
    public static let finiteDifferenceTolerance = 1e-6
    /// The default relative tolerance of an algebraic identity (both sides computed in closed form).
    public static let identityTolerance = 1e-10

    // MARK: Inputs

    /// `N × D` rows drawn from `N(0, 1)` and ℓ2-normalised: unit vectors spread uniformly on the sphere.
    public static func unitRows(_ n: Int, _ d: Int, rng: inout RandomGenerator) -> Tensor<Double> {
        Tensor<Double>.randomNormal([n, d], using: &rng).l2NormalizedRows()
    }

    /// Raw (un-normalised) features with an anisotropic, decaying spectrum, like a projector's
    /// output: `z = ξ diag(σ) R` with `σ_j = (j+1)^(−decay)`, `ξ ~ N(0,1)` and a random rotation `R`,
    /// plus a common offset `μ` (real features are not centred).
    public static func structuredRaw(_ n: Int, _ d: Int, decay: Double = 0.5, offset: Double = 0.3,
                                     basis: Tensor<Double>, rng: inout RandomGenerator) -> Tensor<Double> {
        precondition(basis.shape == [d, d], "basis \(basis.shape) for D=\(d)")
        var x = Tensor<Double>.randomNormal([n, d], using: &rng)
        let sigma = (0..<d).map { Double.pow(Double($0 + 1), -decay) }
        let typicalNorm = sigma.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for r in 0..<n { for j in 0..<d { x.scalars[r * d + j] *= sigma[j] } }
        for r in 0..<n { x.scalars[r * d] += offset * typicalNorm }
        return x.matmul(basis)
    }

    /// A random orthogonal `D × D` matrix: the eigenvectors of a random symmetric matrix.
    public static func randomRotation(_ d: Int, rng: inout RandomGenerator) -> Tensor<Double> {
        let a = Tensor<Double>.randomNormal([d, d], using: &rng)
        return (a + a.transposed()).symmetricEigen().vectors
    }

    /// A batch of positive pairs as a Siamese network sees them: raw online features `z1`, `z2`
    /// from structured "images" plus view noise, and their unit versions. `noise` sets how far the
    /// two views are apart (0.5 gives positive cosines around 0.8).
    public static func positivePairs(_ n: Int, _ d: Int, noise: Double = 0.5, decay: Double = 0.5,
                                     rng: inout RandomGenerator)
        -> (z1: Tensor<Double>, z2: Tensor<Double>, u1: Tensor<Double>, u2: Tensor<Double>) {
        let basis = randomRotation(d, rng: &rng)
        let images = structuredRaw(n, d, decay: decay, basis: basis, rng: &rng)
        let scale = images.rowNorms().reduce(0, +) / Double(n) / Double(d).squareRoot()
        let z1 = images + Tensor<Double>.randomNormal([n, d], std: noise * scale, using: &rng)
        let z2 = images + Tensor<Double>.randomNormal([n, d], std: noise * scale, using: &rng)
        return (z1, z2, z1.l2NormalizedRows(), z2.l2NormalizedRows())
    }

    /// The UniGrad / DirectPred moving-average correlation matrix after `steps` batches of unit
    /// rows `t1, t2` (each `n × d`): first step `F = F̂`, then `F ← ρF + (1−ρ)F̂` with
    /// `F̂ = (t1ᵀt1 + t2ᵀt2)/(2n)` (paper.md §3). Also returns every vector `v` that entered `F`
    /// with its unrolled weight `ρ_v`: `(1−ρ)ρ^k/(2n)` for a batch `k` steps old, `ρ^(T−1)/(2n)`
    /// for the first batch — so that `F = Σ_v ρ_v v vᵀ` can be checked.
    public static func movingAverageCorrelation(batches: [(Tensor<Double>, Tensor<Double>)], rho: Double)
        -> (F: Tensor<Double>, vectors: Tensor<Double>, weights: [Double]) {
        precondition(!batches.isEmpty, "need at least one batch")
        var F = Tensor<Double>.zeros([batches[0].0.columns, batches[0].0.columns])
        for (step, (t1, t2)) in batches.enumerated() {
            // the library's update (MethodState), so that C12 checks the implementation
            F = MethodState<Double>.updatedCorrelation(previous: step == 0 ? nil : F,
                                                       batch: MethodState.batchCorrelation(t1: t1, t2: t2), rho: rho)
        }
        let steps = batches.count
        var weights: [Double] = []
        var parts: [Tensor<Double>] = []
        for (step, (t1, t2)) in batches.enumerated() {
            let age = steps - 1 - step
            let n = Double(t1.rows)
            let w = step == 0 ? Double.pow(rho, Double(steps - 1)) / (2 * n)
                              : (1 - rho) * Double.pow(rho, Double(age)) / (2 * n)
            parts.append(t1)
            parts.append(t2)
            weights += Array(repeating: w, count: 2 * t1.rows)
        }
        return (F, Tensor.concatenatingRows(parts), weights)
    }

    /// A realistic moving-average `F` from `steps` batches of positive pairs with a shared basis.
    public static func realisticF(d: Int, batch: Int, steps: Int, rho: Double, decay: Double = 0.5,
                                  rng: inout RandomGenerator) -> (F: Tensor<Double>, vectors: Tensor<Double>, weights: [Double]) {
        let basis = randomRotation(d, rng: &rng)
        var batches: [(Tensor<Double>, Tensor<Double>)] = []
        for _ in 0..<steps {
            let images = structuredRaw(batch, d, decay: decay, basis: basis, rng: &rng)
            let t1 = (images + Tensor<Double>.randomNormal([batch, d], std: 0.3, using: &rng)).l2NormalizedRows()
            let t2 = (images + Tensor<Double>.randomNormal([batch, d], std: 0.3, using: &rng)).l2NormalizedRows()
            batches.append((t1, t2))
        }
        return movingAverageCorrelation(batches: batches, rho: rho)
    }

    // MARK: Linear algebra used by several checks

    /// Row-wise dot products `aᵦ · bᵦ`.
    public static func rowDots(_ a: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
        precondition(a.shape == b.shape, "rowDots: \(a.shape) vs \(b.shape)")
        let c = a.columns
        return (0..<a.rows).map { r in (0..<c).reduce(0) { $0 + a.scalars[r * c + $1] * b.scalars[r * c + $1] } }
    }

    /// The tangent projection `(I − u uᵀ) g` of each row of `g` onto the sphere at the matching row of `u`.
    public static func projectTangent(_ g: Tensor<Double>, onto u: Tensor<Double>) -> Tensor<Double> {
        Tensor.l2NormalizeBackward(u: u, norms: Array(repeating: 1, count: u.rows), gradU: g)
    }

    /// `A^p` for a symmetric PSD matrix through its eigen-decomposition (eigenvalues clamped at 0).
    public static func symmetricPower(_ a: Tensor<Double>, _ p: Double) -> Tensor<Double> {
        let (values, vectors) = a.symmetricEigen()
        let d = a.rows
        let scaled = vectors.columnsScaled(by: values.map { Double.pow(Swift.max($0, 0), p) })
        precondition(scaled.shape == [d, d])
        return scaled.matmul(vectors, transposeOther: true)
    }

    /// Row-wise softmax.
    public static func softmaxRows(_ x: Tensor<Double>) -> Tensor<Double> {
        var y = x
        let c = x.columns
        for r in 0..<x.rows {
            let m = (0..<c).map { x.scalars[r * c + $0] }.max() ?? 0
            var s = 0.0
            for j in 0..<c { let e = Double.exp(x.scalars[r * c + j] - m); y.scalars[r * c + j] = e; s += e }
            for j in 0..<c { y.scalars[r * c + j] /= s }
        }
        return y
    }

    /// `log Σ_j exp(x_j)` of each row, computed stably.
    public static func logSumExpRows(_ x: Tensor<Double>) -> [Double] {
        let c = x.columns
        return (0..<x.rows).map { r in
            let row = (0..<c).map { x.scalars[r * c + $0] }
            let m = row.max() ?? 0
            return m + Double.log(row.reduce(0) { $0 + Double.exp($1 - m) })
        }
    }

    // MARK: Comparisons

    /// Compares two sides of an exact claim coordinate by coordinate.
    ///
    /// The relative error of a coordinate is `|a − b| / max(|a|, |b|, floor)` with
    /// `floor = floorFraction · max(max|a|, max|b|)`: coordinates far below the scale of the
    /// whole tensor are judged against that scale instead of their own (near-zero) size.
    public static func compare(_ a: Tensor<Double>, _ b: Tensor<Double>, tolerance: Double = identityTolerance,
                               floorFraction: Double = 1e-3, note: String = "") -> CheckResult {
        precondition(a.shape == b.shape, "compare: \(a.shape) vs \(b.shape)")
        let scale = Swift.max(a.maxAbs(), b.maxAbs())
        let floor = Swift.max(floorFraction * scale, Double.leastNormalMagnitude)
        let report = FiniteDifferences.compare(analytic: a.scalars, numeric: b.scalars,
                                               indices: Array(0..<a.count), floor: floor)
        return CheckResult(maxAbsoluteError: report.maxAbsoluteError, maxRelativeError: report.maxRelativeError,
                           tolerance: tolerance, note: note)
    }

    /// Compares two scalars.
    public static func compare(_ a: Double, _ b: Double, tolerance: Double = identityTolerance, note: String = "") -> CheckResult {
        compare(Tensor(shape: [1], scalars: [a]), Tensor(shape: [1], scalars: [b]), tolerance: tolerance,
                floorFraction: 1e-300, note: note)
    }

    /// Compares a claimed gradient of `loss` at `x` with central differences over every coordinate
    /// (the independent reference), Richardson-extrapolated: with `D(h) = (f(x + h eᵢ) − f(x − h eᵢ))/2h`,
    /// `(4 D(h/2) − D(h))/3` has error `O(h⁴)`, so a larger step keeps rounding error small too.
    public static func gradientCheck(analytic: Tensor<Double>, of loss: (Tensor<Double>) -> Double,
                                     at x: Tensor<Double>, step: Double = 1e-3,
                                     tolerance: Double = finiteDifferenceTolerance, note: String = "") -> CheckResult {
        precondition(analytic.shape == x.shape, "gradientCheck: analytic \(analytic.shape) vs x \(x.shape)")
        let coordinates = Array(0..<x.count)
        let coarse = FiniteDifferences.gradient(of: loss, at: x, coordinates: coordinates, step: step)
        let fine = FiniteDifferences.gradient(of: loss, at: x, coordinates: coordinates, step: step / 2)
        let numeric = zip(fine, coarse).map { (4 * $0 - $1) / 3 }
        return compare(analytic, Tensor(shape: x.shape, scalars: numeric), tolerance: tolerance, note: note)
    }

    /// Cosine of the angle between each pair of rows (0 when a row is zero).
    public static func rowCosines(_ a: Tensor<Double>, _ b: Tensor<Double>) -> [Double] {
        let dots = rowDots(a, b), na = a.rowNorms(), nb = b.rowNorms()
        return (0..<a.rows).map { na[$0] * nb[$0] > 0 ? dots[$0] / (na[$0] * nb[$0]) : 0 }
    }

    /// Measures how well `approx` reproduces `exact` row by row — after the tangent projection at
    /// `u` when given, since only that part reaches `z` — as the smallest or the mean row cosine.
    /// The errors of the result are those of `approx` against `exact` (after projection).
    public static func approximation(exact: Tensor<Double>, approx: Tensor<Double>, projectingAt u: Tensor<Double>?,
                                     statistic: CosineStatistic, threshold: Double,
                                     relation: CheckMeasurement.Relation = .atLeast, note: String = "") -> CheckResult {
        let e = u.map { projectTangent(exact, onto: $0) } ?? exact
        let a = u.map { projectTangent(approx, onto: $0) } ?? approx
        let cosines = rowCosines(e, a)
        let value: Double
        switch statistic {
        case .min: value = cosines.min() ?? .nan
        case .mean: value = cosines.reduce(0, +) / Double(Swift.max(cosines.count, 1))
        }
        var result = compare(e, a, tolerance: 0)
        result.tolerance = nil
        result.measurement = CheckMeasurement(name: "\(statistic.rawValue) cosine", value: value, threshold: threshold,
                                              relation: relation)
        result.note = "cosines min \(formatCheckNumber(cosines.min() ?? .nan)), mean \(formatCheckNumber(cosines.reduce(0, +) / Double(Swift.max(cosines.count, 1))))" + (note.isEmpty ? "" : "; " + note)
        return result
    }

    /// Which summary of the per-row cosines an approximation check reports.
    public enum CosineStatistic: String, Sendable {
        case min, mean
    }
}

extension Tensor where Scalar == Double {
    /// Multiplies column `j` by `s[j]`.
    func columnsScaled(by s: [Double]) -> Tensor {
        precondition(s.count == columns, "scalingColumns: \(s.count) factors for \(columns) columns")
        var t = self
        let c = columns
        for r in 0..<rows { for j in 0..<c { t.scalars[r * c + j] *= s[j] } }
        return t
    }
}
