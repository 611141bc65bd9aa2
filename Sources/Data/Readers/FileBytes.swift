import CZlib
import Foundation

/// Whole-file reading for the dataset readers.
///
/// `readGzipOrPlain` goes through zlib's `gzopen`/`gzread`, which decompresses gzip files and
/// passes other files through unchanged, so `.gz` and uncompressed IDX/CIFAR files read alike.
public enum FileBytes {
    /// True when `path` names an existing file or directory.
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// The bytes of `path`, decompressed if it is gzip.
    ///
    /// - Throws: ``DataError/fileNotFound(path:)``, ``DataError/unreadable(path:reason:)``, or
    ///   ``DataError/corruptCompressedData(path:reason:)`` (zlib's message, e.g. for a cut-off
    ///   gzip stream).
    public static func readGzipOrPlain(_ path: String) throws(DataError) -> [UInt8] {
        guard exists(path) else { throw .fileNotFound(path: path) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .unreadable(path: path, reason: "is a directory")
        }
        guard let file = gzopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 18)
        var bytes = [UInt8]()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(chunk)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "gzread failed"
                throw .corruptCompressedData(path: path, reason: message)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<Int(n)])
        }
        // A gzip stream cut short reads as end-of-file; zlib records the error.
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        if code != Z_OK && code != Z_STREAM_END {
            throw .corruptCompressedData(path: path, reason: message.isEmpty ? "zlib error \(code)" : message)
        }
        return bytes
    }

    /// The raw bytes of `path` (no decompression).
    public static func readPlain(_ path: String) throws(DataError) -> [UInt8] {
        guard exists(path) else { throw .fileNotFound(path: path) }
        do {
            return [UInt8](try Foundation.Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Writes `bytes` to `path` atomically (temporary file, then rename).
    public static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
        do {
            try Foundation.Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .writeFailed(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Creates the directory `path` and its parents (nothing if it exists).
    public static func makeDirectory(_ path: String) throws(DataError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Writes `bytes` gzip-compressed to `path` (zlib `gzopen`/`gzwrite`); used by tests and tools
    /// that make IDX files.
    public static func writeGzip(_ bytes: [UInt8], to path: String) throws(DataError) {
        guard let file = gzopen(path, "wb") else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        var offset = 0
        while offset < bytes.count {
            let n = min(1 << 20, bytes.count - offset)
            let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress.map { $0 + offset }, UInt32(n)) }
            if written <= 0 {
                gzclose(file)
                throw .writeFailed(path: path, reason: "gzwrite failed")
            }
            offset += Int(written)
        }
        if gzclose(file) != Z_OK { throw .writeFailed(path: path, reason: "gzclose failed") }
    }
}
