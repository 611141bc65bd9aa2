import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: write a temporary file in the destination's directory, `fsync`
/// it, `rename(2)` it over the destination (atomic on POSIX file systems), then `fsync` the
/// directory so the rename itself is durable. Readers see the old file or the new one, never a
/// mixture; a failure at any point leaves the old file and no temporary file behind.
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `bytes`.
    ///
    /// - Parameters:
    ///   - chunkSize: bytes per `write(2)` call between `progress` callbacks.
    ///   - progress: called with `(written, total)` after each chunk; throwing aborts the write.
    public static func write(_ bytes: [UInt8], to path: String, chunkSize: Int = 1 << 20,
                             progress: ((_ written: Int, _ total: Int) throws -> Void)? = nil) throws(CheckpointError) {
        precondition(chunkSize >= 1, "AtomicFile.write: chunkSize \(chunkSize) must be ≥ 1")
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: "cannot create a temporary file in \(directory): \(errnoText())") }
        var failure: CheckpointError?
        var written = 0
        bytes.withUnsafeBytes { raw in
            while written < bytes.count && failure == nil {
                let n = Swift.min(chunkSize, bytes.count - written)
                let r = posixWrite(fd, raw.baseAddress! + written, n)
                if r < 0 {
                    if errno == EINTR { continue }
                    failure = .writeFailed(path: path, reason: errnoText())
                    break
                }
                written += r
                do {
                    try progress?(written, bytes.count)
                } catch {
                    failure = .writeFailed(path: path, reason: "aborted after \(written) of \(bytes.count) bytes: \(oneLine("\(error)"))")
                }
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = .writeFailed(path: path, reason: "fsync: \(errnoText())") }
        if close(fd) != 0 && failure == nil { failure = .writeFailed(path: path, reason: "close: \(errnoText())") }
        if failure == nil && rename(temporary, path) != 0 { failure = .writeFailed(path: path, reason: "rename: \(errnoText())") }
        if let failure {
            unlink(temporary)
            throw failure
        }
        // Make the rename durable; failure here cannot un-write the file, so it is not an error.
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
