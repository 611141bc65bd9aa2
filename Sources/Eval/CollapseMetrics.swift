import Foundation
import TensorCore

/// Measures of representation collapse on an `(N, D)` features matrix, computed in `Double`.
///
/// - `singularValues` / `effectiveRank`: Roy & Vetterli, "The effective rank: a measure of
///   effective dimensionality", EUSIPCO 2007.
/// - `normalizedStd`: SimSiam's collapse monitor (Chen & He, CVPR 2021).
/// - `alignment` / `uniformity`: Wang & Isola, "Understanding Contrastive Representation Learning
///   through Alignment and Uniformity on the Hypersphere", ICML 2020.
public enum CollapseMetrics {
    /// The singular values `σ₁ ≥ σ₂ ≥ … ≥ 0` of `X` (`min(N, D)` of them).
    ///
    /// Computed as `σₖ = √λₖ` from the eigenvalues of the smaller Gram matrix (`XᵀX`, `D×D`, or
    /// `XXᵀ`, `N×N`) with `symmetricEigen`; tiny negative eigenvalues from rounding are clamped to 0.
    /// `centered: true` subtracts the column means first (the spectrum of the covariance).
    public static func singularValues<Scalar: BLASScalar>(_ x: Tensor<Scalar>, centered: Bool = false) -> [Double] {
        precondition(x.rank == 2 && x.rows >= 1 && x.columns >= 1, "singularValues needs an (N, D) matrix, got \(x.shape)")
        var xd = x.converted(to: Double.self)
        if centered {
            let mean = xd.meanRows()
            xd = xd.addingRowVector(-mean)
        }
        let gram = xd.rows >= xd.columns ? xd.matmul(xd, transposeSelf: true) : xd.matmul(xd, transposeOther: true)
        return gram.symmetricEigen().values.reversed().map { Swift.max($0, 0).squareRoot() }
    }

    /// The normalised spectrum `pₖ = σₖ / Σⱼ σⱼ`, descending (all zero for a zero matrix).
    public static func normalizedSpectrum(_ singularValues: [Double]) -> [Double] {
        let total = singularValues.reduce(0, +)
        guard total > 0 else { return singularValues.map { _ in 0 } }
        return singularValues.map { $0 / total }
    }

    /// Effective rank `exp(H(p))`, `H(p) = −Σₖ pₖ log pₖ`, `pₖ = σₖ / Σσ` (Roy & Vetterli 2007):
    /// `D` for an isotropic matrix, 1 for a rank-1 matrix, 0 for the zero matrix.
    public static func effectiveRank(singularValues: [Double]) -> Double {
        let p = normalizedSpectrum(singularValues)
        guard p.contains(where: { $0 > 0 }) else { return 0 }
        let h = -p.reduce(0.0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        return exp(h)
    }

    /// Effective rank of the features matrix; see ``effectiveRank(singularValues:)``.
    public static func effectiveRank<Scalar: BLASScalar>(_ x: Tensor<Scalar>, centered: Bool = false) -> Double {
        effectiveRank(singularValues: singularValues(x, centered: centered))
    }

    /// SimSiam's collapse monitor: the mean over dimensions of the (unbiased, `N−1`) standard
    /// deviation over samples of the ℓ2-normalised features `u = z/‖z‖`:
    /// `(1/D) Σ_d std_i(u_{i,d})`. About `1/√D` for healthy isotropic features, 0 at collapse.
    public static func normalizedStd<Scalar: BLASScalar>(_ z: Tensor<Scalar>) -> Double {
        precondition(z.rank == 2 && z.rows >= 2, "normalizedStd needs an (N, D) matrix with N ≥ 2, got \(z.shape)")
        let u = z.converted(to: Double.self).l2NormalizedRows()
        let n = u.rows, d = u.columns
        let mean = u.meanRows().scalars
        var total = 0.0
        for j in 0..<d {
            var s = 0.0
            for i in 0..<n { let c = u.scalars[i * d + j] - mean[j]; s += c * c }
            total += (s / Double(n - 1)).squareRoot()
        }
        return total / Double(d)
    }

    /// Alignment `E_i ‖u1ᵢ − u2ᵢ‖₂^α` of paired views after ℓ2 normalisation (Wang & Isola 2020,
    /// `α = 2` by default): 0 for identical views, 4 for antipodal views with `α = 2`.
    public static func alignment<Scalar: BLASScalar>(_ z1: Tensor<Scalar>, _ z2: Tensor<Scalar>, alpha: Double = 2) -> Double {
        precondition(z1.shape == z2.shape && z1.rank == 2 && z1.rows >= 1,
                     "alignment needs two equal (N, D) matrices, got \(z1.shape) and \(z2.shape)")
        let u1 = z1.converted(to: Double.self).l2NormalizedRows(), u2 = z2.converted(to: Double.self).l2NormalizedRows()
        let d = u1.columns
        var total = 0.0
        for i in 0..<u1.rows {
            var s = 0.0
            for j in 0..<d { let c = u1.scalars[i * d + j] - u2.scalars[i * d + j]; s += c * c }
            total += alpha == 2 ? s : pow(s.squareRoot(), alpha)
        }
        return total / Double(u1.rows)
    }

    /// Uniformity `log E_{i<j} exp(−t‖uᵢ − uⱼ‖²)` over distinct pairs of ℓ2-normalised features
    /// (Wang & Isola 2020, `t = 2`); lower is more uniform, 0 at collapse.
    ///
    /// Exact over all `N(N−1)/2` pairs when `N ≤ exactLimit` (through the Gram matrix,
    /// `‖uᵢ − uⱼ‖² = 2 − 2uᵢ·uⱼ`); otherwise a mean over `sampledPairs` pairs `i ≠ j` drawn with
    /// a generator seeded by `seed`. Evaluated as a log-mean-exp (max-shifted).
    public static func uniformity<Scalar: BLASScalar>(_ z: Tensor<Scalar>, t: Double = 2, exactLimit: Int = 4096,
                                                      sampledPairs: Int = 200_000, seed: UInt64 = 0) -> Double {
        precondition(z.rank == 2 && z.rows >= 2, "uniformity needs an (N, D) matrix with N ≥ 2, got \(z.shape)")
        let u = z.converted(to: Double.self).l2NormalizedRows()
        let n = u.rows, d = u.columns
        var exponents = [Double]()
        if n <= exactLimit {
            let g = u.matmul(u, transposeOther: true)
            exponents.reserveCapacity(n * (n - 1) / 2)
            for i in 0..<n { for j in (i + 1)..<n { exponents.append(-t * Swift.max(2 - 2 * g.scalars[i * n + j], 0)) } }
        } else {
            var rng = RandomGenerator(seed: seed)
            exponents.reserveCapacity(sampledPairs)
            for _ in 0..<sampledPairs {
                let i = rng.nextInt(below: n)
                var j = rng.nextInt(below: n - 1)
                if j >= i { j += 1 }
                var s = 0.0
                for c in 0..<d { let diff = u.scalars[i * d + c] - u.scalars[j * d + c]; s += diff * diff }
                exponents.append(-t * s)
            }
        }
        let m = exponents.max() ?? 0
        let mean = exponents.reduce(0.0) { $0 + exp($1 - m) } / Double(exponents.count)
        return m + log(mean)
    }

    /// Positive similarity `(1/N) Σᵢ u1ᵢ·u2ᵢ` of paired views after ℓ2 normalisation (the
    /// `pos_sim` the UniGrad code logs): 1 when the views agree exactly.
    public static func positiveSimilarity<Scalar: BLASScalar>(_ z1: Tensor<Scalar>, _ z2: Tensor<Scalar>) -> Double {
        precondition(z1.shape == z2.shape && z1.rank == 2 && z1.rows >= 1,
                     "positiveSimilarity needs two equal (N, D) matrices, got \(z1.shape) and \(z2.shape)")
        let u1 = z1.converted(to: Double.self).l2NormalizedRows(), u2 = z2.converted(to: Double.self).l2NormalizedRows()
        return u1.dot(u2) / Double(u1.rows)
    }
}

/// All collapse metrics of a features matrix (and, when given, of a second view paired row by row).
///
/// ```swift
/// let report = try CollapseReport(features: z1, secondView: z2)
/// print(report)
/// ```
public struct CollapseReport: Sendable, Equatable, CustomStringConvertible {
    /// Samples `N` and dimension `D`.
    public var sampleCount: Int
    public var dimension: Int
    /// Singular values of the (uncentred) features, descending.
    public var singularValues: [Double]
    /// `σₖ / Σσ`, descending.
    public var normalizedSpectrum: [Double]
    /// Roy & Vetterli effective rank, in `[1, min(N, D)]` (0 for all-zero features).
    public var effectiveRank: Double
    /// Mean per-dimension std of ℓ2-normalised features (SimSiam).
    public var normalizedStd: Double
    /// `1/√D`, the value of `normalizedStd` for healthy isotropic features.
    public var healthyStd: Double { 1 / Double(dimension).squareRoot() }
    /// Uniformity (`t = 2`); averaged over both views when a second view is given.
    public var uniformity: Double
    /// Alignment (`α = 2`) between the views, if a second view is given.
    public var alignment: Double?
    /// Mean cosine between paired views, if a second view is given.
    public var positiveSimilarity: Double?

    /// Computes every metric; `secondView` must have the shape of `features`.
    public init<Scalar: BLASScalar>(features z1: Tensor<Scalar>, secondView z2: Tensor<Scalar>? = nil,
                                    seed: UInt64 = 0) throws(EvalError) {
        try EvalValidation.matrix(z1, name: "features")
        guard z1.rows >= 2 else { throw .tooFewSamples(name: "features", count: z1.rows, minimum: 2) }
        if let z2 {
            try EvalValidation.matrix(z2, name: "second view", width: z1.columns)
            guard z2.rows == z1.rows else {
                throw .labelCountMismatch(name: "second view", labels: z2.rows, rows: z1.rows)
            }
        }
        sampleCount = z1.rows
        dimension = z1.columns
        singularValues = CollapseMetrics.singularValues(z1)
        normalizedSpectrum = CollapseMetrics.normalizedSpectrum(singularValues)
        effectiveRank = CollapseMetrics.effectiveRank(singularValues: singularValues)
        normalizedStd = CollapseMetrics.normalizedStd(z1)
        if let z2 {
            uniformity = 0.5 * (CollapseMetrics.uniformity(z1, seed: seed) + CollapseMetrics.uniformity(z2, seed: seed))
            alignment = CollapseMetrics.alignment(z1, z2)
            positiveSimilarity = CollapseMetrics.positiveSimilarity(z1, z2)
        } else {
            uniformity = CollapseMetrics.uniformity(z1, seed: seed)
            alignment = nil
            positiveSimilarity = nil
        }
    }

    /// A multi-line readable summary with a verdict.
    public var description: String {
        func f(_ x: Double) -> String { formatScalar(x, precision: 4) }
        let shown = normalizedSpectrum.prefix(8).map { f($0) }.joined(separator: ", ")
        var lines = [
            "collapse metrics (N=\(sampleCount), D=\(dimension))",
            "  effective rank      \(f(effectiveRank)) of \(Swift.min(sampleCount, dimension))",
            "  std of ℓ2-normed    \(f(normalizedStd)) (healthy ≈ 1/√D = \(f(healthyStd)), collapsed → 0)",
            "  uniformity (t=2)    \(f(uniformity)) (lower is more uniform, 0 = collapsed)",
        ]
        if let alignment { lines.append("  alignment (α=2)     \(f(alignment)) (0 = views identical)") }
        if let positiveSimilarity { lines.append("  positive similarity \(f(positiveSimilarity))") }
        lines.append("  spectrum σ/Σσ       [\(shown)\(normalizedSpectrum.count > 8 ? ", …" : "")]")
        lines.append("  verdict             \(verdict)")
        return lines.joined(separator: "\n")
    }

    /// `collapsed` when the normalised std is below 10% of `1/√D` or the effective rank is below
    /// 1.5; `partially collapsed` when the effective rank is below 10% of `min(N, D)`; else `healthy`.
    public var verdict: String {
        if normalizedStd < 0.1 * healthyStd || effectiveRank < 1.5 { return "collapsed" }
        if effectiveRank < 0.1 * Double(Swift.min(sampleCount, dimension)) { return "partially collapsed (low rank)" }
        return "healthy"
    }
}
