import Foundation
import Testing

// Whole command lines of `unigrad verify`: output, exit status and the one-line errors on stderr.

/// `<repo>` from this file's path (`<repo>/Tests/MethodsTests/Checks/<file>`).
private let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url
}()

private func run(_ arguments: [String], in directory: URL = repositoryRoot) throws -> CommandOutput {
    try runUnigrad(["verify"] + arguments, in: directory)
}

private func scratch(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite("unigrad verify command", .enabled(if: unigradExecutable() != nil, "the unigrad executable is not built"))
struct VerifyCommandTests {
    @Test("verifying one derivation prints PASS lines and the summary, exit 0")
    func verifiesOneFile() throws {
        let r = try run(["derivations/unigrad.md"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "derivations/unigrad.md")
        #expect(lines.contains { $0.hasPrefix("  PASS  unigrad.gradient  max abs err ") && $0.contains("max rel err") })
        #expect(lines.contains { $0.contains("schedule.momentum") })
        #expect(lines.last == "9 passed, 0 failed")
        #expect(r.stderr.isEmpty)
    }

    @Test("bad input: one line on stderr, exit 2, nothing on stdout", arguments: [
        ("missing", "no such file"), ("nochecks", "no check blocks found"), ("unknown", "unknown check id 'no.such-check'"),
        ("seed", "--seed must be an unsigned integer"), ("dir", "no derivations (*.md) found"),
    ])
    func badInput(kind: String, message: String) throws {
        let args: [String]
        switch kind {
        case "missing": args = [FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).md").path]
        case "nochecks": args = [try scratch("plain.md", "# Only prose\n")]
        case "unknown": args = [try scratch("unknown.md", "```check\nno.such-check\n```\n")]
        case "seed": args = ["--seed", "minus-one", "derivations/unigrad.md"]
        default: args = ["--dir", (try scratch("x.txt", "") as NSString).deletingLastPathComponent]
        }
        let r = try run(args)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let errorLines = r.stderr.split(separator: "\n")
        #expect(errorLines.count == 1)
        #expect(r.stderr.hasPrefix("unigrad verify: ") && r.stderr.contains(message), "stderr: \(r.stderr)")
    }

    @Test("--list names every registered check")
    func lists() throws {
        let r = try run(["--list"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("infonce.gradient-wrt-u\t[C1] "))
        #expect(r.stdout.split(separator: "\n").count >= 60)
    }
}
