/// Why a checkpoint could not be written or read. Every case prints as one line naming the
/// problem; the shell shows it and carries on.
public enum CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No file at the path.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// Fewer bytes than the 8-byte header-length prefix.
    case truncated(bytes: Int)
    /// The header length in the prefix exceeds the bytes that follow it.
    case headerLengthExceedsFile(headerLength: UInt64, available: Int)
    /// The header is not a JSON object of the safetensors shape (with the reason).
    case invalidHeader(reason: String)
    /// A dtype string this reader does not know.
    case unknownDType(tensor: String, dtype: String)
    /// `data_offsets` outside the byte buffer, or with `begin > end`.
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, bufferSize: Int)
    /// Two tensors share bytes.
    case overlappingOffsets(first: String, second: String)
    /// Bytes of the buffer that belong to no tensor (a gap or a trailing tail).
    case bufferNotCovered(begin: Int, end: Int)
    /// `shape × dtype size ≠ end − begin`.
    case sizeMismatch(tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// A tensor the caller asked for is not in the file.
    case missingTensor(name: String)
    /// A tensor has another shape than the caller expects.
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// A tensor has another dtype than the caller asks for.
    case dtypeMismatch(tensor: String, expected: String, actual: String)
    /// Writing the file failed; an existing file at the path is left unchanged.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "checkpoint not found: \(path)"
        case let .unreadable(path, reason):
            return "cannot read checkpoint \(path): \(reason)"
        case let .truncated(bytes):
            return "truncated checkpoint: \(bytes) bytes, need at least 8 for the header length"
        case let .headerLengthExceedsFile(headerLength, available):
            return "corrupt checkpoint: header length \(headerLength) exceeds the \(available) bytes after the prefix"
        case let .invalidHeader(reason):
            return "corrupt checkpoint header: \(reason)"
        case let .unknownDType(tensor, dtype):
            return "tensor '\(tensor)': unknown dtype '\(dtype)'"
        case let .offsetsOutOfRange(tensor, begin, end, bufferSize):
            return "tensor '\(tensor)': data_offsets [\(begin), \(end)] outside the \(bufferSize)-byte buffer"
        case let .overlappingOffsets(first, second):
            return "tensors '\(first)' and '\(second)' overlap in the data buffer"
        case let .bufferNotCovered(begin, end):
            return "data buffer bytes \(begin)..<\(end) belong to no tensor"
        case let .sizeMismatch(tensor, shape, dtype, expectedBytes, actualBytes):
            return "tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expectedBytes) bytes, data_offsets span \(actualBytes)"
        case let .missingTensor(name):
            return "checkpoint has no tensor '\(name)'"
        case let .shapeMismatch(tensor, expected, actual):
            return "tensor '\(tensor)': shape \(actual) in the checkpoint, expected \(expected)"
        case let .dtypeMismatch(tensor, expected, actual):
            return "tensor '\(tensor)': dtype \(actual) in the checkpoint, expected \(expected)"
        case let .writeFailed(path, reason):
            return "cannot write checkpoint \(path): \(reason)"
        }
    }
}
