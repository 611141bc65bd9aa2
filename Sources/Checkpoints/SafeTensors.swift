import Foundation
import TensorCore

/// A safetensors file in memory: named tensors plus string metadata.
///
/// Format (huggingface/safetensors): an 8-byte little-endian unsigned header length `N`; `N`
/// bytes of UTF-8 JSON
/// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
///   "__metadata__": {"key": "value"}}`, padded with spaces so `8 + N` is a multiple of 8; then
/// the data buffer, each tensor's little-endian row-major bytes at `[begin, end)` relative to the
/// buffer's start. Tensors must cover the buffer exactly, without overlap.
///
/// ```swift
/// var file = SafeTensors(metadata: ["config": configJSON])
/// file.tensors["encoder.conv1.weight"] = SafeTensor(weights)
/// file.tensors["rng.state"] = SafeTensor(uint64: [rng.state])
/// try file.write(to: "run/checkpoint.safetensors")           // atomic
/// let back = try SafeTensors.read(from: "run/checkpoint.safetensors")
/// let w: Tensor<Float> = try back.tensor("encoder.conv1.weight", shape: [32, 1, 3, 3])
/// ```
public struct SafeTensors: Sendable, Equatable {
    /// The reserved header key of the metadata object.
    public static let metadataKey = "__metadata__"
    /// The largest header accepted on read (the reference implementation's limit, 100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// The tensors by name.
    public var tensors: [String: SafeTensor]
    /// Free-form string metadata (UniGrad Lab stores the run's config as a JSON string).
    public var metadata: [String: String]

    /// A file with the given tensors and metadata.
    public init(tensors: [String: SafeTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: Typed access

    /// The entry `name`, or `missingTensor`.
    public func entry(_ name: String) throws(CheckpointError) -> SafeTensor {
        guard let t = tensors[name] else { throw .missingTensor(name: name) }
        return t
    }

    /// The `F32` (for `Float`) or `F64` (for `Double`) tensor `name`, bit for bit; checks the shape
    /// when `shape` is given.
    public func tensor<Scalar: BLASScalar>(_ name: String, as _: Scalar.Type = Scalar.self,
                                          shape: [Int]? = nil) throws(CheckpointError) -> Tensor<Scalar> {
        let t = try checked(name, dtype: Scalar.self == Float.self ? .f32 : .f64, shape: shape)
        let scalars: [Scalar]?
        if t.dtype == .f32 {
            scalars = t.values(as: UInt32.self).map { Float(bitPattern: $0) } as? [Scalar]
        } else {
            scalars = t.values(as: UInt64.self).map { Double(bitPattern: $0) } as? [Scalar]
        }
        guard let scalars else { throw .dtypeMismatch(tensor: name, expected: "\(Scalar.self)", actual: t.dtype.rawValue) }
        return Tensor(shape: t.shape, scalars: scalars)
    }

    /// The `I64` values of `name` (row-major), checking the shape when given.
    public func int64s(_ name: String, shape: [Int]? = nil) throws(CheckpointError) -> [Int64] {
        try checked(name, dtype: .i64, shape: shape).values(as: Int64.self)
    }

    /// The `U64` values of `name` (row-major), checking the shape when given.
    public func uint64s(_ name: String, shape: [Int]? = nil) throws(CheckpointError) -> [UInt64] {
        try checked(name, dtype: .u64, shape: shape).values(as: UInt64.self)
    }

    /// The `U8` values of `name` (row-major), checking the shape when given.
    public func uint8s(_ name: String, shape: [Int]? = nil) throws(CheckpointError) -> [UInt8] {
        try checked(name, dtype: .u8, shape: shape).bytes
    }

    private func checked(_ name: String, dtype: SafeTensorsDType, shape: [Int]?) throws(CheckpointError) -> SafeTensor {
        let t = try entry(name)
        guard t.dtype == dtype else { throw .dtypeMismatch(tensor: name, expected: dtype.rawValue, actual: t.dtype.rawValue) }
        if let shape, shape != t.shape { throw .shapeMismatch(tensor: name, expected: shape, actual: t.shape) }
        return t
    }

    // MARK: Files

    /// Reads and fully validates a safetensors file.
    public static func read(from path: String) throws(CheckpointError) -> SafeTensors {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .fileNotFound(path: path) }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: oneLine("\(error)"))
        }
        return try SafeTensors(decoding: [UInt8](data))
    }

    /// Writes the file atomically: a temporary file in the same directory, `fsync`, then `rename`
    /// over `path`. On any failure the previous file at `path` is untouched and the temporary file
    /// is removed. `progress(written, total)` is called after each chunk (tests use it to fail
    /// mid-write; an error it throws aborts the write as `writeFailed`).
    public func write(to path: String, chunkSize: Int = 1 << 20,
                      progress: ((_ written: Int, _ total: Int) throws -> Void)? = nil) throws(CheckpointError) {
        try AtomicFile.write(encoded(), to: path, chunkSize: chunkSize, progress: progress)
    }
}

/// A message flattened to one line.
func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
