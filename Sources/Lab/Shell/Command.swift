/// A user error in the shell: printed as one line (`error: …`); the session goes on.
public struct LabError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What the shell completes for an argument position.
public enum CompletionKind: Sendable, Equatable {
    case none
    case command
    case method
    case settingKey
    case target
    case preset
    case lesson
    case path
    case tensorName
    case choices([String])
}

/// One shell command: its name, help text with an example, argument arity, completion hints and
/// the code that runs it.
public struct Command {
    public var name: String
    public var aliases: [String]
    /// `name ARG [OPTIONAL]…`
    public var usage: String
    /// One line for `help`.
    public var summary: String
    /// A fuller explanation for `help NAME`.
    public var details: String
    /// An example invocation (shown by `help NAME`).
    public var example: String
    /// Allowed number of arguments.
    public var arity: ClosedRange<Int>
    /// Completion for each argument position (the last one repeats).
    public var completion: [CompletionKind]
    /// The family shown in `help` (session, data, forward, …).
    public var family: String
    public var run: (Session, [String]) throws -> Void

    public init(_ name: String, aliases: [String] = [], family: String, usage: String, summary: String,
                details: String = "", example: String, arity: ClosedRange<Int> = 0...0,
                completion: [CompletionKind] = [], run: @escaping (Session, [String]) throws -> Void) {
        self.name = name
        self.aliases = aliases
        self.family = family
        self.usage = usage
        self.summary = summary
        self.details = details
        self.example = example
        self.arity = arity
        self.completion = completion
        self.run = run
    }
}

extension Array where Element == String {
    /// The argument at `i` parsed as an integer in `range`, or a one-line error naming it.
    func int(_ i: Int, _ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let v = Int(self[i]) else { throw LabError("\(name) must be an integer, got '\(self[i])'") }
        guard range.contains(v) else {
            throw LabError("\(name) must be in \(range.lowerBound)…\(range.upperBound), got \(v)")
        }
        return v
    }

    /// The argument at `i` parsed as a finite number.
    func double(_ i: Int, _ name: String) throws -> Double {
        guard let v = Double(self[i]), v.isFinite else {
            throw LabError("\(name) must be a finite number, got '\(self[i])'")
        }
        return v
    }
}
