import Testing
import Foundation
@testable import Lab

/// Every lesson runs headless, and every `expect` line of it is met.
@Suite struct LessonTests {
    static let lessons: [String] = {
        let dir = (Transcript.root as NSString).appendingPathComponent("lessons")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
    }()

    @Test func theCourseHasItsLessons() {
        #expect(Self.lessons.count >= 8)
        for name in Self.lessons {
            let text = (try? String(contentsOfFile: Transcript.root + "/lessons/" + name, encoding: .utf8)) ?? ""
            #expect(text.contains("## Summary") && text.contains("## Exercises"), "\(name) needs a summary and exercises")
        }
    }

    @Test(arguments: lessons)
    func lessonRunsAndMeetsItsExpectations(_ name: String) throws {
        let t = Transcript(small: false)
        let path = Transcript.root + "/lessons/" + name
        let lesson = try Lesson.load(path: path)
        #expect(lesson.cells.allSatisfy { !$0.commands.isEmpty })
        #expect(lesson.cells.contains { !$0.expectations.isEmpty })
        let failures = try ScriptRunner(interpreter: t.interpreter, keepGoing: true).run(path: path)
        let errors = t.buffer.text.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(failures == 0, "\(name): \(errors.joined(separator: "\n"))")
    }

    @Test func aMissedExpectationFailsTheRun() throws {
        let t = Transcript()
        let path = Transcript.temporary("lesson.md")
        try "# L\n\n```unigrad\nset lambda 100\nshow lambda\n```\n\n```expect\nlambda = 100\nre:lambda = [0-9]+\n```\n\n```unigrad\nshow lambda\n```\n```expect\nlambda = 7\n```\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ScriptRunner(interpreter: t.interpreter, keepGoing: true).run(path: path) == 1)
        #expect(t.buffer.text.contains("error: expected output to contain 'lambda = 7'"))
    }

    @Test func openNextAndPrevWalkThroughALesson() throws {
        let t = Transcript(small: false)
        let first = try #require(Self.lessons.first)
        let name = (first as NSString).deletingPathExtension
        let o = t.run("open \(String(name.prefix(2)))")
        #expect(o.ok && o.output.contains("[cell 1/"))
        #expect(t.run("lessons").output.contains(name))
        let n = t.run("next")
        #expect(n.ok && n.output.contains("[cell 2/"))
        #expect(t.run("prev").output.contains("[cell 1/"))
    }
}
