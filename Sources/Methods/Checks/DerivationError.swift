/// What can go wrong when reading derivation files and running their checks: user errors,
/// printed as one line by `unigrad verify` (paper-independent; see `DerivationVerifier`).
public enum DerivationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be read as UTF-8 text.
    case unreadable(path: String, reason: String)
    /// The file names no check at all.
    case noChecks(path: String)
    /// A `check` fence names an id that is not registered (1-based line of the id).
    case unknownCheck(id: String, path: String, line: Int)
    /// A `check` fence is opened but never closed (1-based line of the opening fence).
    case unterminatedFence(path: String, line: Int)
    /// The folder holds no `*.md` derivation, or does not exist.
    case noDerivations(directory: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read (\(reason))"
        case .noChecks(let path): return "\(path): no check blocks found (a derivation names checks in ```check fences)"
        case .unknownCheck(let id, let path, let line): return "\(path):\(line): unknown check id '\(id)'"
        case .unterminatedFence(let path, let line): return "\(path):\(line): check fence is never closed"
        case .noDerivations(let directory): return "\(directory): no derivations (*.md) found"
        }
    }
}
