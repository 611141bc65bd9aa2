import Foundation

/// Where the Data module reports problems it works around instead of failing: a corrupt image
/// skipped in a folder dataset, an empty class folder. Thread-safe: loader threads report here.
///
/// Every message is kept (for tests and summaries) and passed to `handler`, which by default
/// prints `warning: …` on standard error. The same message is reported only once.
public final class DataWarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    private var seen: Set<String> = []
    private let handler: @Sendable (String) -> Void

    /// A log that passes each new message to `handler`.
    public init(handler: @escaping @Sendable (String) -> Void) {
        self.handler = handler
    }

    /// A log that prints `warning: <message>` on standard error.
    public static func standardError() -> DataWarningLog {
        DataWarningLog { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
    }

    /// A log that only keeps the messages.
    public static func silent() -> DataWarningLog { DataWarningLog { _ in } }

    /// Reports `message` (once).
    public func warn(_ message: String) {
        lock.lock()
        let isNew = seen.insert(message).inserted
        if isNew { stored.append(message) }
        lock.unlock()
        if isNew { handler(message) }
    }

    /// The messages so far, in order.
    public var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
