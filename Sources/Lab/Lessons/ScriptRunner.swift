import Foundation

/// Runs a command script (`*.unigrad`: one command per line, `#` comments) or a lesson's Markdown
/// file (its `unigrad` cells, checking each `expect` block) without a prompt.
public struct ScriptRunner {
    public let interpreter: Interpreter
    /// Stop at the first failure (scripts) or go on and count (lessons, or `keepGoing`).
    public var keepGoing: Bool

    public init(interpreter: Interpreter, keepGoing: Bool = false) {
        self.interpreter = interpreter
        self.keepGoing = keepGoing
    }

    /// Runs the file and returns the number of failed commands and unmet expectations.
    public func run(path: String) throws -> Int {
        let session = interpreter.session
        if path.hasSuffix(".md") {
            let lesson = try Lesson.load(path: path)
            var failures = 0
            for cell in lesson.cells {
                let before = session.errorCount
                _ = session.runCell(cell, interpreter: interpreter)
                failures += session.errorCount - before
                if session.wantsExit || session.interrupt.isRaised { break }
                if failures > 0 && !keepGoing { break }
            }
            return failures
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LabError("cannot read script '\(path)'")
        }
        return run(lines: text.components(separatedBy: "\n"))
    }

    /// Runs lines one by one; returns the number that failed.
    public func run(lines: [String]) -> Int {
        let session = interpreter.session
        var failures = 0
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if !interpreter.execute(trimmed) {
                failures += 1
                if !keepGoing { break }
            }
            if session.wantsExit || session.interrupt.isRaised { break }
        }
        return failures
    }
}
