import SSL
import Foundation

/// Runs shell lines against a `Session`: tokenises, finds the command (or suggests one), checks
/// the argument count, runs it, and turns every user error into one `error: …` line. Nothing a
/// user types ends the session.
public final class Interpreter {
    public let session: Session
    public private(set) var commands: [Command] = []
    private var index: [String: Int] = [:]

    public init(session: Session) {
        self.session = session
        for c in Commands.all(self) { register(c) }
    }

    /// Adds a command (or replaces one of the same name).
    public func register(_ command: Command) {
        if let i = index[command.name] {
            commands[i] = command
        } else {
            commands.append(command)
            index[command.name] = commands.count - 1
        }
        for a in command.aliases { index[a] = index[command.name] }
    }

    /// The command named `name` (or an alias), if any.
    public func command(named name: String) -> Command? { index[name].map { commands[$0] } }

    /// Every command name and alias, sorted.
    public var names: [String] { index.keys.sorted() }

    /// Executes one line; returns false when the command failed (the error is already printed).
    @discardableResult
    public func execute(_ line: String) -> Bool {
        session.interrupt.clear()
        let words: [String]
        do {
            words = try Tokenizer.split(line)
        } catch {
            session.error("\(error)")
            return false
        }
        guard let name = words.first else { return true }
        guard let command = command(named: name) else {
            session.error(Suggestions.unknown("command", name, among: names) + " (type 'help')")
            return false
        }
        let args = Array(words.dropFirst())
        guard command.arity.contains(args.count) else {
            let expected = command.arity.lowerBound == command.arity.upperBound
                ? "\(command.arity.lowerBound)" : "\(command.arity.lowerBound)–\(command.arity.upperBound == Int.max ? "∞" : String(command.arity.upperBound))"
            session.error("\(command.name) takes \(expected) argument\(command.arity.upperBound == 1 ? "" : "s"), got \(args.count); usage: \(command.usage)")
            return false
        }
        do {
            try command.run(session, args)
            return true
        } catch let e as LabError {
            session.error(e.message)
        } catch {
            session.error("\(error)")
        }
        return false
    }

    /// Completions for the word being typed, given the text of the line before it.
    public func completions(lineBefore: String, word: String) -> [String] {
        let words = (try? Tokenizer.split(lineBefore)) ?? lineBefore.split(separator: " ").map(String.init)
        let candidates: [String]
        if words.isEmpty {
            candidates = names
        } else if let c = command(named: words[0]) {
            let position = words.count - 1
            let kind = c.completion.isEmpty ? .none : c.completion[Swift.min(position, c.completion.count - 1)]
            if case .path = kind { return Self.pathCompletions(word) }
            candidates = session.candidates(for: kind, interpreter: self)
        } else {
            candidates = []
        }
        return candidates.filter { $0.hasPrefix(word) }
    }

    /// File-system completions for a partial path.
    public static func pathCompletions(_ word: String) -> [String] {
        let expanded = (word as NSString).expandingTildeInPath
        let dir: String, prefix: String
        if word.hasSuffix("/") {
            (dir, prefix) = (expanded, "")
        } else {
            dir = (expanded as NSString).deletingLastPathComponent
            prefix = (expanded as NSString).lastPathComponent
        }
        let listDir = dir.isEmpty ? "." : dir
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: listDir) else { return [] }
        let shownDir = word.hasSuffix("/") ? word : String(word.dropLast(prefix.count))
        return items.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted().map { item in
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: (listDir as NSString).appendingPathComponent(item), isDirectory: &isDir)
            return shownDir + item + (isDir.boolValue ? "/" : "")
        }
    }
}
