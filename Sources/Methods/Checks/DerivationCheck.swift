import Foundation

// A named numeric check of one step of a derivation (derivations/*.md): the claim in words,
// and a seeded run in Double that measures how well the claim holds.

/// A measured quantity with its own threshold, for checks of *approximations* (the paper's
/// simplifications), where equality is not claimed: e.g. the cosine between an exact and a
/// simplified gradient, which passes when it is at least `threshold`.
public struct CheckMeasurement: Sendable, Equatable, CustomStringConvertible {
    /// How a measured value is compared with its threshold.
    public enum Relation: String, Sendable, Equatable {
        /// passes when `value ≥ threshold` (cosines, similarities)
        case atLeast = "≥"
        /// passes when `value ≤ threshold` (ratios, errors)
        case atMost = "≤"
    }

    /// What was measured, e.g. `"min cosine"`.
    public var name: String
    /// The measured value.
    public var value: Double
    /// The threshold the value is judged against.
    public var threshold: Double
    /// The direction of the comparison.
    public var relation: Relation

    public init(name: String, value: Double, threshold: Double, relation: Relation = .atLeast) {
        self.name = name
        self.value = value
        self.threshold = threshold
        self.relation = relation
    }

    /// True when the value is finite and on the right side of the threshold.
    public var passes: Bool {
        guard value.isFinite else { return false }
        switch relation {
        case .atLeast: return value >= threshold
        case .atMost: return value <= threshold
        }
    }

    public var description: String {
        "\(name) = \(formatCheckNumber(value)) (\(relation.rawValue) \(formatCheckNumber(threshold)))"
    }
}

/// The outcome of one run of a `DerivationCheck`.
///
/// For an *exact* claim (two sides equal up to rounding or finite-difference error) the check
/// passes when `maxRelativeError ≤ tolerance`; for an *approximation* it passes when the
/// `measurement` passes, and the errors describe how far the simplified form is from the exact one.
public struct CheckResult: Sendable, Equatable {
    /// `max_i |aᵢ − bᵢ|` between the two sides of the claim.
    public var maxAbsoluteError: Double
    /// `max_i |aᵢ − bᵢ| / max(|aᵢ|, |bᵢ|, floor)`; see `CheckKit.compare`.
    public var maxRelativeError: Double
    /// The relative tolerance of an exact claim (`nil` for approximations).
    public var tolerance: Double?
    /// The measured quantity of an approximation (`nil` for exact claims).
    public var measurement: CheckMeasurement?
    /// A short remark printed with the result (e.g. the sizes used).
    public var note: String

    public init(maxAbsoluteError: Double, maxRelativeError: Double, tolerance: Double?,
                measurement: CheckMeasurement? = nil, note: String = "") {
        self.maxAbsoluteError = maxAbsoluteError
        self.maxRelativeError = maxRelativeError
        self.tolerance = tolerance
        self.measurement = measurement
        self.note = note
    }

    /// Pass/fail: the measurement decides for approximations, the relative error otherwise.
    public var passed: Bool {
        if let measurement { return measurement.passes }
        guard let tolerance else { return false }
        return maxRelativeError.isFinite && maxRelativeError <= tolerance
    }

    /// Combines the results of several sub-comparisons of one claim: errors are maxima, the
    /// tolerance is the tightest, notes are joined. Measurements must not be combined this way.
    public static func worst(of results: [CheckResult], note: String = "") -> CheckResult {
        precondition(!results.isEmpty && results.allSatisfy { $0.measurement == nil },
                     "worst(of:) needs ≥ 1 exact results, got \(results.count)")
        let tol = results.compactMap(\.tolerance).min()
        return CheckResult(
            maxAbsoluteError: results.map(\.maxAbsoluteError).reduce(0) { nanMax($0, $1) },
            maxRelativeError: results.map(\.maxRelativeError).reduce(0) { nanMax($0, $1) },
            tolerance: tol, note: note)
    }
}

/// `max` that propagates NaN as +∞ so that a NaN error can never pass.
@inline(__always) func nanMax(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .infinity }
    return Swift.max(a, b)
}

/// Scientific notation with 3 significant digits, as printed by `unigrad verify`.
public func formatCheckNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    let a = Swift.abs(x)
    if a >= 1e-3 && a < 1e4 {
        // plain decimal with 6 significant digits for cosines, ratios, schedule values
        var s = String(format: "%.6g", x)
        if s.contains("e") { s = String(format: "%.3e", x) }
        return s
    }
    return String(format: "%.3e", x)
}

/// A named numeric check: the `id` a derivation names in a `check` fence, the claim in words,
/// and a seeded run in `Double`.
///
/// Checks are pure functions of the seed, so `unigrad verify` prints the same numbers every time.
public struct DerivationCheck: Sendable {
    /// A stable identifier, `family.claim` in kebab case, e.g. `infonce.gradient-wrt-u`.
    public let id: String
    /// The claim in one sentence (printed by `verify`).
    public let claim: String
    /// The paper claim it covers (`C1`…`C13` of paper.md §7, or a Table 1 row), if any.
    public let reference: String
    /// Runs the check on inputs drawn from `RandomGenerator(seed:)`.
    public let run: @Sendable (UInt64) -> CheckResult

    public init(id: String, claim: String, reference: String = "",
                run: @escaping @Sendable (UInt64) -> CheckResult) {
        precondition(!id.isEmpty && !id.contains(where: \.isWhitespace), "check id must be one non-empty word, got '\(id)'")
        self.id = id
        self.claim = claim
        self.reference = reference
        self.run = run
    }
}
