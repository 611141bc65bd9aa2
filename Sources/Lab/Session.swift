import Foundation
import SSL

/// The state of one shell session — settings, the current batch, model, training history and the
/// open lesson — and the text sink that commands write to. Holds no terminal: the front end
/// decides where the text goes (a terminal, a pipe, or a test's string).
public final class Session {
    /// Receives every line of output (including a trailing newline).
    public var write: (String) -> Void
    /// Whether ANSI colour may be used (only on a terminal and never with `NO_COLOR`).
    public var useColor: Bool
    /// Set by Ctrl-C; long commands stop after the current step.
    public let interrupt = InterruptFlag()
    /// The run's settings.
    public var config = Presets.config("tiny") ?? TrainingConfig()
    /// Data, model, batch and history (built lazily from `config`).
    public let state = LabState()
    /// Where lessons live (`lessons/` of the repository by default).
    public var lessonDirectory: String
    /// Where derivations live.
    public var derivationDirectory: String
    /// The open lesson and the index of its next cell.
    public var lesson: Lesson?
    public var lessonCursor = 0
    /// Errors printed so far (scripts exit non-zero when any command failed).
    public private(set) var errorCount = 0

    public init(write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }, useColor: Bool = false,
                resourceRoot: String? = nil) {
        self.write = write
        self.useColor = useColor
        let root = resourceRoot ?? Session.defaultResourceRoot()
        lessonDirectory = (root as NSString).appendingPathComponent("lessons")
        derivationDirectory = (root as NSString).appendingPathComponent("derivations")
    }

    /// Prints a line.
    public func print(_ line: String = "") { write(line + "\n") }

    /// Prints a one-line error.
    public func error(_ message: String) {
        errorCount += 1
        let firstLine = message.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? message
        write((useColor ? "\u{1B}[31merror:\u{1B}[0m " : "error: ") + firstLine + "\n")
    }

    /// Text in bold (on a colour terminal).
    public func bold(_ s: String) -> String { useColor ? "\u{1B}[1m\(s)\u{1B}[0m" : s }

    /// The prompt: method, target and step, e.g. `unigrad[unigrad/momentum step 0]> `.
    public var prompt: String {
        "unigrad[\(config.method)/\(config.target.rawValue) step \(step)]> "
    }

    /// Set by `quit`.
    public var wantsExit = false
    /// Whether output goes to an interactive terminal (progress bars redraw one line).
    public var isTerminal = false
    /// The trainer's step (0 before a model exists).
    public var step: Int { state.trainer?.step ?? 0 }

    /// The repository folder that holds `lessons/` and `derivations/`: `UNIGRAD_HOME`, else the
    /// current directory if it has them, else the folders above the executable.
    public static func defaultResourceRoot() -> String {
        let fm = FileManager.default
        if let home = ProcessInfo.processInfo.environment["UNIGRAD_HOME"] { return home }
        let cwd = fm.currentDirectoryPath
        if fm.fileExists(atPath: (cwd as NSString).appendingPathComponent("lessons")) { return cwd }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? cwd).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            if fm.fileExists(atPath: dir.appendingPathComponent("lessons").path) { return dir.path }
            dir.deleteLastPathComponent()
        }
        return cwd
    }

    /// Candidate words for completion.
    func candidates(for kind: CompletionKind, interpreter: Interpreter) -> [String] {
        switch kind {
        case .none, .path: return []
        case .command: return interpreter.commands.map(\.name)
        case .method: return Self.methodNames
        case .settingKey: return TrainingConfig.keyNames + methodKeys
        case .target: return TargetBranch.allCases.map(\.rawValue)
        case .preset: return ["tiny", "small", "full", "paper"]
        case .lesson: return lessonNames()
        case .tensorName: return tensorNames()
        case .choices(let c): return c
        }
    }

    /// The names of the lessons in `lessonDirectory`.
    public func lessonNames() -> [String] {
        let items = (try? FileManager.default.contentsOfDirectory(atPath: lessonDirectory)) ?? []
        return items.filter { $0.hasSuffix(".md") }.map { ($0 as NSString).deletingPathExtension }.sorted()
    }
}

extension Session {
    /// Forgets the model, batch and history; keeps the settings.
    public func resetState() {
        state.clear()
        lesson = nil
        lessonCursor = 0
    }
}
