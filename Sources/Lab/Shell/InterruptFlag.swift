import Synchronization

/// Set by Ctrl-C (SIGINT) while a command runs; long commands poll it between steps and stop
/// cleanly. Cleared before each command.
public final class InterruptFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    /// Requests that the running command stop.
    public func raise() { flag.store(true, ordering: .relaxed) }
    /// Clears the request.
    public func clear() { flag.store(false, ordering: .relaxed) }
    /// Whether a stop was requested.
    public var isRaised: Bool { flag.load(ordering: .relaxed) }
}
