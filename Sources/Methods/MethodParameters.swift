import Foundation
import TensorCore

/// A user error about a method name or a hyper-parameter setting (printed as one line).
public enum MethodError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No method has this name; `valid` lists the catalogue names.
    case unknownMethod(String, valid: [String])
    /// The method has no hyper-parameter `key`; `valid` lists its keys.
    case unknownParameter(method: String, key: String, valid: [String])
    /// A setting that is not of the form `key=value`.
    case malformedSetting(String)
    /// A value that is not a finite number (or not an integer where one is needed).
    case invalidValue(key: String, value: String, expected: String)
    /// A value outside the allowed range.
    case outOfRange(key: String, value: Double, range: String)

    public var description: String {
        switch self {
        case let .unknownMethod(name, valid):
            return "unknown method '\(name)'; valid methods: \(valid.joined(separator: ", "))"
        case let .unknownParameter(method, key, valid):
            return "method '\(method)' has no parameter '\(key)'; valid keys: "
                + (valid.isEmpty ? "(none)" : valid.joined(separator: ", "))
        case let .malformedSetting(text):
            return "malformed setting '\(text)'; expected key=value, e.g. tau=0.2"
        case let .invalidValue(key, value, expected):
            return "invalid value '\(value)' for '\(key)'; expected \(expected)"
        case let .outOfRange(key, value, range):
            return "value \(MethodParameters.format(value)) for '\(key)' is out of range \(range)"
        }
    }
}

/// One settable hyper-parameter of a method: its key, default and allowed range.
public struct ParameterSpec: Sendable, Equatable {
    /// The key users type in `--set key=value` (e.g. `tau`).
    public var key: String
    /// The default value.
    public var defaultValue: Double
    /// The allowed closed range.
    public var range: ClosedRange<Double>
    /// Whether only integers are allowed (e.g. `queue_size`).
    public var isInteger: Bool
    /// What it does.
    public var summary: String

    public init(key: String, defaultValue: Double, range: ClosedRange<Double>, isInteger: Bool = false, summary: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.range = range
        self.isInteger = isInteger
        self.summary = summary
    }

    /// `"[lo, hi]"`.
    public var rangeDescription: String {
        "[\(MethodParameters.format(range.lowerBound)), \(MethodParameters.format(range.upperBound))]"
    }

    /// Parses and checks a textual value.
    public func parse(_ text: String) throws(MethodError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let v = Double(trimmed), v.isFinite else {
            throw .invalidValue(key: key, value: text, expected: isInteger ? "an integer" : "a finite number")
        }
        try check(v, text: trimmed)
        return v
    }

    /// Checks a numeric value against the range (and integrality).
    public func check(_ v: Double, text: String? = nil) throws(MethodError) {
        guard v.isFinite else { throw .invalidValue(key: key, value: "\(v)", expected: "a finite number") }
        if isInteger && v.rounded() != v {
            throw .invalidValue(key: key, value: text ?? MethodParameters.format(v), expected: "an integer")
        }
        guard range.contains(v) else { throw .outOfRange(key: key, value: v, range: rangeDescription) }
    }
}

/// The hyper-parameter values of one method, keyed by `ParameterSpec.key`, in catalogue order.
public struct MethodParameters: Sendable, Equatable, CustomStringConvertible {
    /// `(key, value)` pairs in the catalogue's order.
    public private(set) var entries: [(key: String, value: Double)]

    public init(_ entries: [(key: String, value: Double)]) { self.entries = entries }

    public static func == (a: MethodParameters, b: MethodParameters) -> Bool {
        a.entries.map(\.key) == b.entries.map(\.key) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    /// The keys in order.
    public var keys: [String] { entries.map(\.key) }

    /// The value of `key`; precondition: the key exists.
    public subscript(_ key: String) -> Double {
        guard let e = entries.first(where: { $0.key == key }) else {
            preconditionFailure("no parameter '\(key)' in \(keys)")
        }
        return e.value
    }

    /// `"tau=0.2, queue_size=4096"` (or `"(none)"`).
    public var description: String {
        entries.isEmpty ? "(none)" : entries.map { "\($0.key)=\(Self.format($0.value))" }.joined(separator: ", ")
    }
}

extension MethodParameters {
    /// `4096`, `0.2`, `0.0051`: integers without a fraction, others in Swift's shortest form —
    /// that of `Float` when the value is exactly a `Float` (a Float method's `0.99` prints as 0.99).
    public static func format(_ x: Double) -> String {
        if x.rounded() == x && Swift.abs(x) < 1e15 { return String(Int64(x)) }
        if let f = Float(exactly: x) { return "\(f)" }
        return "\(x)"
    }
}
