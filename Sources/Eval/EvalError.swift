import TensorCore

/// Bad input to an evaluation (kNN monitor, linear probe, collapse metrics): mismatched shapes,
/// labels out of range, non-finite features. The shell prints `description` and carries on.
public enum EvalError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A features matrix that is not `(N, D)` with `N ≥ 1`, `D ≥ 1`.
    case notAMatrix(name: String, shape: [Int])
    /// Two feature matrices whose widths (`D`) differ.
    case dimensionMismatch(name: String, expected: Int, actual: Int)
    /// A label array whose length differs from the number of feature rows.
    case labelCountMismatch(name: String, labels: Int, rows: Int)
    /// A label outside `0..<classCount`.
    case labelOutOfRange(name: String, index: Int, label: Int, classCount: Int)
    /// A NaN or ±∞ among the features.
    case nonFiniteFeatures(name: String, row: Int, column: Int)
    /// Fewer samples than the metric needs.
    case tooFewSamples(name: String, count: Int, minimum: Int)
    /// A hyper-parameter outside its domain (e.g. `k < 1`, `t ≤ 0`, `epochs < 1`).
    case invalidParameter(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .notAMatrix(name, shape):
            return "\(name): expected a non-empty (N, D) features matrix, got shape \(shape)"
        case let .dimensionMismatch(name, expected, actual):
            return "\(name): feature dimension \(actual) does not match \(expected)"
        case let .labelCountMismatch(name, labels, rows):
            return "\(name): \(labels) labels for \(rows) feature rows"
        case let .labelOutOfRange(name, index, label, classCount):
            return "\(name): label \(label) at index \(index) is outside 0..<\(classCount)"
        case let .nonFiniteFeatures(name, row, column):
            return "\(name): non-finite value at row \(row), column \(column)"
        case let .tooFewSamples(name, count, minimum):
            return "\(name): \(count) samples, need at least \(minimum)"
        case let .invalidParameter(name, value, requirement):
            return "invalid \(name) = \(value): must be \(requirement)"
        }
    }
}

/// Shared input validation for the evaluators.
enum EvalValidation {
    static func matrix<S: BLASScalar>(_ x: Tensor<S>, name: String, width: Int? = nil) throws(EvalError) {
        guard x.rank == 2, x.shape[0] >= 1, x.shape[1] >= 1 else { throw .notAMatrix(name: name, shape: x.shape) }
        if let width, x.shape[1] != width {
            throw .dimensionMismatch(name: name, expected: width, actual: x.shape[1])
        }
        if let bad = x.scalars.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteFeatures(name: name, row: bad / x.shape[1], column: bad % x.shape[1])
        }
    }

    static func labels(_ y: [Int], rows: Int, classCount: Int, name: String) throws(EvalError) {
        guard y.count == rows else { throw .labelCountMismatch(name: name, labels: y.count, rows: rows) }
        if let bad = y.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw .labelOutOfRange(name: name, index: bad, label: y[bad], classCount: classCount)
        }
    }
}
