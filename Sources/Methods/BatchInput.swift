import Foundation
import TensorCore

/// A user error in a `batch.json` file for `unigrad grad` (printed as one line).
public enum BatchInputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file cannot be read.
    case unreadable(path: String, reason: String)
    /// The bytes are not valid JSON (including numbers that overflow Double, e.g. `1e400`).
    case notJSON(reason: String)
    /// The top level is not a JSON object.
    case notAnObject
    /// A key the format does not define (typo guard).
    case unknownKey(String, valid: [String])
    /// A required key is absent (`z1`, `z2`) or `null`.
    case missing(String)
    /// The value is not a non-empty array of non-empty arrays.
    case notAMatrix(key: String, reason: String)
    /// Row `row` has a different length from row 0.
    case ragged(key: String, row: Int, expected: Int, got: Int)
    /// An element is not a number (a string, `null`, a boolean, an array, …).
    case notANumber(key: String, row: Int, column: Int, found: String)
    /// An element is NaN or ±∞.
    case nonFinite(key: String, row: Int, column: Int)
    /// A matrix has the wrong shape for this batch.
    case shapeMismatch(key: String, expected: String, got: [Int])
    /// A row of `z1`/`z2`/targets is all zeros (its direction is undefined).
    case zeroRow(key: String, row: Int)
    /// The method needs a larger batch.
    case batchTooSmall(method: String, minimum: Int, got: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read '\(path)': \(reason)"
        case let .notJSON(reason): return "input is not valid JSON: \(reason)"
        case .notAnObject: return "input must be a JSON object with keys z1, z2 (and optionally z1t, z2t, queue, F, W)"
        case let .unknownKey(key, valid): return "unknown key '\(key)' in input; valid keys: \(valid.joined(separator: ", "))"
        case let .missing(key): return "missing required array '\(key)'"
        case let .notAMatrix(key, reason): return "'\(key)' must be a non-empty array of equal-length number arrays: \(reason)"
        case let .ragged(key, row, expected, got): return "'\(key)' is ragged: row \(row) has \(got) numbers, row 0 has \(expected)"
        case let .notANumber(key, row, column, found): return "'\(key)'[\(row)][\(column)] is \(found), not a number"
        case let .nonFinite(key, row, column): return "'\(key)'[\(row)][\(column)] is not finite"
        case let .shapeMismatch(key, expected, got): return "'\(key)' has shape \(got[0])×\(got[1]), expected \(expected)"
        case let .zeroRow(key, row): return "'\(key)' row \(row) is all zeros; it cannot be normalised"
        case let .batchTooSmall(method, minimum, got): return "method '\(method)' needs a batch of at least \(minimum) samples, got \(got)"
        }
    }
}

/// The validated contents of a `batch.json` (DESIGN.md "Feature-level contract: `unigrad grad`"):
/// `z1`, `z2` (N×D, required); optional `z1t`, `z2t` (N×D raw targets), `queue` (K×D, rows
/// normalised on use), `F` (D×D, before this batch's update; must be symmetric), `W` (D×D).
/// Numbers are read as `Double`.
public struct BatchInput: Sendable, Equatable {
    public var z1: Tensor<Double>
    public var z2: Tensor<Double>
    public var z1t: Tensor<Double>?
    public var z2t: Tensor<Double>?
    public var queue: Tensor<Double>?
    public var F: Tensor<Double>?
    public var W: Tensor<Double>?

    /// The keys a batch file may contain.
    public static let keys = ["z1", "z2", "z1t", "z2t", "queue", "F", "W"]

    public init(z1: Tensor<Double>, z2: Tensor<Double>, z1t: Tensor<Double>? = nil, z2t: Tensor<Double>? = nil,
                queue: Tensor<Double>? = nil, F: Tensor<Double>? = nil, W: Tensor<Double>? = nil) {
        self.z1 = z1
        self.z2 = z2
        self.z1t = z1t
        self.z2t = z2t
        self.queue = queue
        self.F = F
        self.W = W
    }

    /// Reads and validates a file (shapes against each other; not yet against a method).
    public static func load(path: String) throws(BatchInputError) -> BatchInput {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            var isDir: ObjCBool = false
            let reason = !FileManager.default.fileExists(atPath: path, isDirectory: &isDir) ? "no such file"
                : isDir.boolValue ? "is a directory" : "permission denied or I/O error"
            throw .unreadable(path: path, reason: reason)
        }
        return try parse(data: data)
    }

    /// Parses JSON bytes.
    ///
    /// Well-formed files take the fast path (`JSONDecoder` straight into `[[Double]]`);
    /// anything else goes through `JSONSerialization`, whose tree lets the errors name the key,
    /// row and column at fault.
    public static func parse(data: Data) throws(BatchInputError) -> BatchInput {
        // JSONDecoder reads `true` as 1.0, so a file with a boolean literal takes the strict path.
        if !containsBooleanLiteral(data), let matrices = try? JSONDecoder().decode([String: [[Double]]?].self, from: data),
           matrices.keys.allSatisfy(keys.contains) {
            func matrix(_ key: String) throws(BatchInputError) -> Tensor<Double>? {
                guard let rows = matrices[key] ?? nil else { return nil }
                return try readDecodedMatrix(rows, key: key)
            }
            guard let z1 = try matrix("z1") else { throw .missing("z1") }
            guard let z2 = try matrix("z2") else { throw .missing("z2") }
            let input = BatchInput(z1: z1, z2: z2, z1t: try matrix("z1t"), z2t: try matrix("z2t"),
                                   queue: try matrix("queue"), F: try matrix("F"), W: try matrix("W"))
            try input.validateShapes()
            return input
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            let info = (error as NSError).userInfo["NSDebugDescription"] as? String
            var reason = info ?? "malformed JSON"
            if reason.count > 160 { reason = String(reason.prefix(120)) + "… (truncated)" }
            throw .notJSON(reason: reason)
        }
        return try parse(object: object)
    }

    /// Validates an already-decoded JSON value.
    public static func parse(object: Any) throws(BatchInputError) -> BatchInput {
        guard let dict = object as? [String: Any] else { throw .notAnObject }
        for key in dict.keys.sorted() where !keys.contains(key) { throw .unknownKey(key, valid: keys) }
        func matrix(_ key: String) throws(BatchInputError) -> Tensor<Double>? {
            guard let v = dict[key], !(v is NSNull) else { return nil }
            return try readMatrix(v, key: key)
        }
        guard let z1 = try matrix("z1") else { throw .missing("z1") }
        guard let z2 = try matrix("z2") else { throw .missing("z2") }
        let input = BatchInput(z1: z1, z2: z2, z1t: try matrix("z1t"), z2t: try matrix("z2t"),
                               queue: try matrix("queue"), F: try matrix("F"), W: try matrix("W"))
        try input.validateShapes()
        return input
    }

    /// Reads a nested JSON array into an `(R, C)` matrix, rejecting ragged rows, non-numbers and
    /// non-finite values.
    public static func readMatrix(_ value: Any, key: String) throws(BatchInputError) -> Tensor<Double> {
        guard let rows = value as? [Any] else { throw .notAMatrix(key: key, reason: "found \(jsonKind(value))") }
        guard !rows.isEmpty else { throw .notAMatrix(key: key, reason: "it is empty") }
        var scalars = [Double](), width = -1
        for (r, rowValue) in rows.enumerated() {
            guard let row = rowValue as? [Any] else {
                throw .notAMatrix(key: key, reason: "row \(r) is \(jsonKind(rowValue)), not an array")
            }
            if width < 0 {
                guard !row.isEmpty else { throw .notAMatrix(key: key, reason: "row 0 is empty") }
                width = row.count
                scalars.reserveCapacity(rows.count * width)
            } else if row.count != width {
                throw .ragged(key: key, row: r, expected: width, got: row.count)
            }
            for (c, x) in row.enumerated() {
                guard let n = x as? NSNumber, !isBoolean(x) else {
                    throw .notANumber(key: key, row: r, column: c, found: jsonKind(x))
                }
                let d = n.doubleValue
                guard d.isFinite else { throw .nonFinite(key: key, row: r, column: c) }
                scalars.append(d)
            }
        }
        return Tensor(shape: [rows.count, width], scalars: scalars)
    }

    static func isBoolean(_ x: Any) -> Bool {
        // JSONSerialization returns booleans as an NSNumber subclass; plain numbers are NSNumber or
        // NSDecimalNumber (huge integers). Comparing classes avoids slow bridging per element.
        guard let n = x as? NSNumber else { return x is Bool }
        let cls: AnyClass = type(of: n)
        if cls == NSNumber.self || cls == NSDecimalNumber.self { return false }
        return String(describing: cls).lowercased().contains("bool")
    }

    /// Whether the bytes contain `true` or `false` (a linear scan; numbers never contain them).
    static func containsBooleanLiteral(_ data: Data) -> Bool {
        data.withUnsafeBytes { (b: UnsafeRawBufferPointer) -> Bool in
            let n = b.count
            var i = 0
            while i + 3 < n {
                if b[i] == UInt8(ascii: "t") && b[i + 1] == UInt8(ascii: "r") && b[i + 2] == UInt8(ascii: "u") && b[i + 3] == UInt8(ascii: "e") { return true }
                if b[i] == UInt8(ascii: "a") && b[i + 1] == UInt8(ascii: "l") && b[i + 2] == UInt8(ascii: "s") && b[i + 3] == UInt8(ascii: "e") { return true }
                i += 1
            }
            return false
        }
    }

    /// The fast path's matrix: numbers are already `Double`; shape and finiteness still checked.
    static func readDecodedMatrix(_ rows: [[Double]], key: String) throws(BatchInputError) -> Tensor<Double> {
        guard let width = rows.first?.count else { throw .notAMatrix(key: key, reason: "it is empty") }
        guard width > 0 else { throw .notAMatrix(key: key, reason: "row 0 is empty") }
        var scalars = [Double]()
        scalars.reserveCapacity(rows.count * width)
        for (r, row) in rows.enumerated() {
            guard row.count == width else { throw .ragged(key: key, row: r, expected: width, got: row.count) }
            for (c, x) in row.enumerated() {
                guard x.isFinite else { throw .nonFinite(key: key, row: r, column: c) }
                scalars.append(x)
            }
        }
        return Tensor(shape: [rows.count, width], scalars: scalars)
    }

    static func jsonKind(_ x: Any) -> String {
        if x is NSNull { return "null" }
        if isBoolean(x) { return "a boolean" }
        if x is String { return "a string" }
        if x is [Any] { return "an array" }
        if x is [String: Any] { return "an object" }
        if x is NSNumber { return "a number" }
        return "\(type(of: x))"
    }

    /// N, D.
    public var batchSize: Int { z1.rows }
    public var dimension: Int { z1.columns }

    /// Shapes against each other: `z2`, `z1t`, `z2t` are N×D, `queue` is K×D, `F`, `W` are D×D,
    /// `F` is symmetric, rows to be normalised are non-zero.
    public func validateShapes() throws(BatchInputError) {
        let n = z1.rows, d = z1.columns
        let nd = "\(n)×\(d) (like z1)", dd = "\(d)×\(d) (D×D)"
        for (key, t) in [("z2", z2), ("z1t", z1t), ("z2t", z2t)] {
            if let t, t.shape != [n, d] { throw .shapeMismatch(key: key, expected: nd, got: t.shape) }
        }
        if let queue, queue.columns != d { throw .shapeMismatch(key: "queue", expected: "K×\(d) (D columns)", got: queue.shape) }
        for (key, t) in [("F", F), ("W", W)] {
            if let t, t.shape != [d, d] { throw .shapeMismatch(key: key, expected: dd, got: t.shape) }
        }
        if let F {
            for i in 0..<d { for j in 0..<i where Swift.abs(F[i, j] - F[j, i]) > 1e-9 * Swift.max(1, Swift.abs(F[i, j])) {
                throw .shapeMismatch(key: "F", expected: "a symmetric D×D matrix (F[\(i)][\(j)] ≠ F[\(j)][\(i)])", got: F.shape)
            } }
        }
        for (key, t) in [("z1", z1), ("z2", z2), ("z1t", z1t), ("z2t", z2t), ("queue", queue)] {
            guard let t else { continue }
            if let r = t.rowNorms().firstIndex(where: { $0 == 0 }) { throw .zeroRow(key: key, row: r) }
        }
    }

    /// Checks the batch against a method (minimum batch size).
    public func validate(for method: MethodDescriptor) throws(BatchInputError) {
        if batchSize < method.minimumBatch {
            throw .batchTooSmall(method: method.name, minimum: method.minimumBatch, got: batchSize)
        }
    }

    /// The targets in precision `Scalar`.
    public func targets<Scalar: BLASScalar>(_ type: Scalar.Type = Scalar.self) -> MethodTargets<Scalar> {
        MethodTargets(z1t: z1t?.converted(to: Scalar.self), z2t: z2t?.converted(to: Scalar.self))
    }

    /// The state in precision `Scalar`: queue rows ℓ2-normalised (a memory bank holds unit keys),
    /// `F` as given (before this batch's update), `W` as given.
    public func state<Scalar: BLASScalar>(_ type: Scalar.Type = Scalar.self, queueCapacity: Int = 4096) -> MethodState<Scalar> {
        MethodState(queue: queue?.l2NormalizedRows().converted(to: Scalar.self), queueCapacity: queueCapacity,
                    correlation: F?.converted(to: Scalar.self), predictor: W?.converted(to: Scalar.self))
    }
}
