import SSL
import Foundation

extension Commands {
    static func lessonCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("lessons", family: "lessons", usage: "lessons", summary: "list the lessons",
                    example: "lessons") { s, _ in
                let names = s.lessonNames()
                guard !names.isEmpty else { throw LabError("no lessons found in \(s.lessonDirectory)") }
                for name in names {
                    let title = (try? Lesson.load(path: s.lessonPath(name)).title) ?? "(unreadable)"
                    s.print("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(title)")
                }
            },
            Command("open", family: "lessons", usage: "open LESSON",
                    summary: "open a lesson (by name, number or path) and show its first cell",
                    example: "open 01", arity: 1...1, completion: [.lesson]) { s, args in
                let lesson = try Lesson.load(path: try s.resolveLesson(args[0]))
                s.lesson = lesson
                s.lessonCursor = 0
                s.print(s.bold(lesson.title) + "  (\(lesson.cells.count) cells; 'next' runs the next one)")
                s.showCell(0)
            },
            Command("next", aliases: ["n"], family: "lessons", usage: "next",
                    summary: "run the current cell of the open lesson and show the next one",
                    example: "next") { s, _ in
                guard let lesson = s.lesson else { throw LabError("no lesson is open; try 'lessons' and 'open NAME'") }
                guard s.lessonCursor < lesson.cells.count else {
                    throw LabError("the lesson is finished; 'prev' goes back, 'open' starts another")
                }
                let ok = s.runCell(lesson.cells[s.lessonCursor], interpreter: interpreter)
                s.lessonCursor += 1
                if s.lessonCursor < lesson.cells.count {
                    s.showCell(s.lessonCursor)
                } else if !lesson.epilogue.isEmpty {
                    s.print(lesson.epilogue)
                }
                if !ok { throw LabError("cell \(s.lessonCursor) did not produce what the lesson expects") }
            },
            Command("prev", family: "lessons", usage: "prev", summary: "go back one cell in the open lesson",
                    example: "prev") { s, _ in
                guard s.lesson != nil else { throw LabError("no lesson is open") }
                s.lessonCursor = max(0, s.lessonCursor - 1)
                s.showCell(s.lessonCursor)
            },
            Command("run", family: "lessons", usage: "run FILE",
                    summary: "run a lesson (.md) or command script (.unigrad) without stopping",
                    example: "run lessons/01-tour.md", arity: 1...1, completion: [.path]) { s, args in
                let looksLikePath = args[0].contains("/") || args[0].hasSuffix(".unigrad") || args[0].hasSuffix(".md")
                if looksLikePath && !FileManager.default.fileExists(atPath: args[0]) {
                    throw LabError("cannot read '\(args[0])': no such file")
                }
                let path = FileManager.default.fileExists(atPath: args[0]) ? args[0] : try s.resolveLesson(args[0])
                let failures = try ScriptRunner(interpreter: interpreter).run(path: path)
                if failures > 0 { throw LabError("\(failures) command\(failures == 1 ? "" : "s") or expectation\(failures == 1 ? "" : "s") failed in \(path)") }
            },
        ]
    }
}

extension Session {
    /// The path of lesson `name` (file name, its number prefix, or a path).
    func resolveLesson(_ name: String) throws -> String {
        if name.hasSuffix(".md"), FileManager.default.fileExists(atPath: name) { return name }
        let names = lessonNames()
        if let exact = names.first(where: { $0 == name }) { return lessonPath(exact) }
        let prefixed = names.filter { $0.hasPrefix(name) || $0.hasPrefix("0" + name) || $0.dropFirst(3).hasPrefix(name) }
        if prefixed.count == 1 { return lessonPath(prefixed[0]) }
        throw LabError(Suggestions.unknown("lesson", name, among: names))
    }

    func lessonPath(_ name: String) -> String {
        (lessonDirectory as NSString).appendingPathComponent(name + ".md")
    }

    /// Prints the prose and commands of cell `i` of the open lesson.
    func showCell(_ i: Int) {
        guard let lesson, i < lesson.cells.count else { return }
        let cell = lesson.cells[i]
        if !cell.prose.isEmpty { print(cell.prose) }
        print(bold("[cell \(i + 1)/\(lesson.cells.count)]"))
        for c in cell.commands { print("    " + c) }
    }

    /// Runs a cell's commands, capturing output to check its expectations; returns success.
    func runCell(_ cell: Lesson.Cell, interpreter: Interpreter) -> Bool {
        var captured = ""
        let original = write
        write = { text in captured += text; original(text) }
        defer { write = original }
        var ok = true
        for c in cell.commands {
            original(bold("» ") + c + "\n")
            if !interpreter.execute(c) { ok = false }
            if wantsExit || interrupt.isRaised { break }
        }
        for e in cell.expectations where !Lesson.output(captured, satisfies: e) {
            error("expected output to contain '\(e)' (lesson cell at line \(cell.line))")
            ok = false
        }
        return ok
    }
}
