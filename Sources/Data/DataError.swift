/// A user-facing error of the Data module: a missing, truncated or corrupt dataset or image file.
///
/// Every case names the file and the problem in its one-line ``description``, so the shell can
/// print it and go on. ``datasetNotInstalled(name:path:installCommand:)`` is the signal callers use
/// to fall back to synthetic data.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A gzip stream is corrupt (zlib's message).
    case corruptCompressedData(path: String, reason: String)
    /// The file does not start with the expected magic number.
    case badMagic(path: String, expected: UInt32, found: UInt32)
    /// The file is shorter than its header (or format) says.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file is longer than its header says.
    case trailingBytes(path: String, expectedBytes: Int, actualBytes: Int)
    /// A header dimension is zero, negative or otherwise unusable.
    case badDimensions(path: String, reason: String)
    /// The file length is not a whole number of fixed-size records (CIFAR-10).
    case badLength(path: String, length: Int, recordSize: Int)
    /// A label is not a valid class index.
    case labelOutOfRange(path: String, record: Int, label: Int, classCount: Int)
    /// An image file and its label file disagree on the number of samples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A packaged dataset is not installed; `installCommand` says how to get it.
    case datasetNotInstalled(name: String, path: String, installCommand: String)
    /// The file is not a PNG file (wrong 8-byte signature).
    case notPNG(path: String)
    /// libpng could not decode the file (its message).
    case corruptPNG(path: String, message: String)
    /// libpng could not encode the image (its message).
    case pngEncodingFailed(path: String, message: String)
    /// The file is not a JPEG file (no SOI marker).
    case notJPEG(path: String)
    /// libjpeg could not decode the file, or warned that its data is corrupt (its message).
    case corruptJPEG(path: String, message: String)
    /// libjpeg could not encode the image (its message).
    case jpegEncodingFailed(path: String, message: String)
    /// The file is neither PNG nor JPEG.
    case unsupportedImageFormat(path: String)
    /// A folder dataset has no usable image.
    case emptyImageFolder(path: String, reason: String)
    /// A file could not be written.
    case writeFailed(path: String, reason: String)

    /// One line naming the file and the problem.
    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "\(path): no such file or directory"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .corruptCompressedData(path, reason):
            return "\(path): corrupt gzip data: \(reason)"
        case let .badMagic(path, expected, found):
            return "\(path): bad magic number \(hex(found)), expected \(hex(expected))"
        case let .truncated(path, expected, actual):
            return "\(path): truncated: expected \(expected) bytes, found \(actual)"
        case let .trailingBytes(path, expected, actual):
            return "\(path): \(actual - expected) unexpected trailing bytes (expected \(expected) bytes, found \(actual))"
        case let .badDimensions(path, reason):
            return "\(path): bad dimensions: \(reason)"
        case let .badLength(path, length, recordSize):
            return "\(path): length \(length) is not a multiple of the record size \(recordSize)"
        case let .labelOutOfRange(path, record, label, classCount):
            return "\(path): record \(record) has label \(label), expected 0..<\(classCount)"
        case let .countMismatch(imagesPath, imageCount, labelsPath, labelCount):
            return "\(imagesPath) has \(imageCount) images but \(labelsPath) has \(labelCount) labels"
        case let .datasetNotInstalled(name, path, installCommand):
            return "\(name) is not installed (\(path) is missing): \(installCommand)"
        case let .notPNG(path):
            return "\(path): not a PNG file (bad signature)"
        case let .corruptPNG(path, message):
            return "\(path): corrupt PNG: \(message)"
        case let .pngEncodingFailed(path, message):
            return "\(path): cannot encode PNG: \(message)"
        case let .notJPEG(path):
            return "\(path): not a JPEG file (no SOI marker)"
        case let .corruptJPEG(path, message):
            return "\(path): corrupt JPEG: \(message)"
        case let .jpegEncodingFailed(path, message):
            return "\(path): cannot encode JPEG: \(message)"
        case let .unsupportedImageFormat(path):
            return "\(path): not a PNG or JPEG file"
        case let .emptyImageFolder(path, reason):
            return "\(path): no usable images: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
