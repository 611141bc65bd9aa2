import Foundation

/// A lesson (`lessons/NN-title.md`): Markdown prose with fenced `unigrad` cells, each optionally
/// followed by an `expect` fence whose lines the cell's output must contain.
///
/// An expect line is a plain substring, or a regular expression when it starts with `re:`
/// (`re:loss +[0-9.]+`). Format: `../shared/FORMATS.md`.
public struct Lesson: Equatable, Sendable {
    /// One runnable cell.
    public struct Cell: Equatable, Sendable {
        /// The commands, one per line (blank lines and `#` comments already removed).
        public var commands: [String]
        /// Lines the output must contain.
        public var expectations: [String]
        /// The prose between the previous cell and this one (what a student reads first).
        public var prose: String
        /// The 1-based line of the cell's opening fence in the file.
        public var line: Int
    }

    /// The file name without extension, e.g. `01-tour`.
    public var name: String
    /// The first `#` heading.
    public var title: String
    public var cells: [Cell]
    /// Prose after the last cell (summary, exercises).
    public var epilogue: String

    /// A lesson that cannot be read.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case unterminatedFence(file: String, line: Int)
        case expectWithoutCell(file: String, line: Int)
        case noCells(String)

        public var description: String {
            switch self {
            case .unreadable(let f): return "cannot read lesson file '\(f)'"
            case .unterminatedFence(let f, let l): return "\(f):\(l): code fence is never closed"
            case .expectWithoutCell(let f, let l): return "\(f):\(l): an expect block must follow a unigrad block"
            case .noCells(let f): return "\(f): the lesson has no unigrad blocks"
            }
        }
    }

    /// Reads and parses a lesson file.
    public static func load(path: String) throws -> Lesson {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Failure.unreadable(path) }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, name: name)
    }

    /// Parses lesson text.
    public static func parse(_ text: String, name: String) throws -> Lesson {
        var cells: [Cell] = []
        var title = name
        var prose: [String] = []
        var fence: (kind: String, line: Int, body: [String])?
        var lastWasCell = false
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if var open = fence {
                if line.hasPrefix("```") {
                    fence = nil
                    switch open.kind {
                    case "unigrad":
                        let commands = open.body.map { $0.trimmingCharacters(in: .whitespaces) }
                            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
                        cells.append(Cell(commands: commands, expectations: [],
                                          prose: prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines),
                                          line: open.line))
                        prose = []
                        lastWasCell = true
                    case "expect":
                        guard lastWasCell, !cells.isEmpty else {
                            throw Failure.expectWithoutCell(file: name, line: open.line)
                        }
                        cells[cells.count - 1].expectations += open.body.map { $0.trimmingCharacters(in: .whitespaces) }
                            .filter { !$0.isEmpty }
                        lastWasCell = false
                    default:
                        prose.append("```" + open.kind)
                        prose.append(contentsOf: open.body)
                        prose.append("```")
                        lastWasCell = false
                    }
                } else {
                    open.body.append(raw)
                    fence = open
                }
                continue
            }
            if line.hasPrefix("```") {
                fence = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), index + 1, [])
                continue
            }
            if title == name, line.hasPrefix("# ") { title = String(line.dropFirst(2)) }
            if !line.isEmpty { lastWasCell = false }
            prose.append(raw)
        }
        if let open = fence { throw Failure.unterminatedFence(file: name, line: open.line) }
        guard !cells.isEmpty else { throw Failure.noCells(name) }
        return Lesson(name: name, title: title, cells: cells,
                      epilogue: prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `output` satisfies one expect line.
    public static func output(_ output: String, satisfies expectation: String) -> Bool {
        if expectation.hasPrefix("re:") {
            let pattern = String(expectation.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            guard let re = try? NSRegularExpression(pattern: pattern) else { return false }
            return re.firstMatch(in: output, range: NSRange(output.startIndex..., in: output)) != nil
        }
        return output.contains(expectation)
    }
}
