import Foundation
@testable import Lab

/// A shell session whose output is collected as text: the harness of the transcript tests.
final class Transcript {
    final class Buffer { var text = "" }
    let buffer = Buffer()
    let session: Session
    let interpreter: Interpreter

    /// The repository root (it holds `lessons/` and `derivations/`).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A session on the tiny preset with a small synthetic dataset (fast).
    init(small: Bool = true) {
        let buffer = self.buffer
        session = Session(write: { buffer.text += $0 }, useColor: false, resourceRoot: Transcript.root)
        interpreter = Interpreter(session: session)
        if small {
            for line in ["set synthetic_train 256", "set synthetic_test 128", "set batch 32", "set knn_k 20"] {
                precondition(interpreter.execute(line), "setup failed: \(line)")
            }
        }
        buffer.text = ""
    }

    /// Runs one line; returns whether it succeeded and what it printed.
    @discardableResult
    func run(_ line: String) -> (ok: Bool, output: String) {
        buffer.text = ""
        let ok = interpreter.execute(line)
        return (ok, buffer.text)
    }

    /// Runs a line that must fail with exactly one `error:` line containing `message`.
    func fails(_ line: String, with message: String) -> Bool {
        let (ok, out) = run(line)
        let lines = out.split(separator: "\n")
        return !ok && lines.count == 1 && lines[0].hasPrefix("error: ") && out.contains(message)
    }

    /// A temporary file path.
    static func temporary(_ name: String) -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("unigrad-lab-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }
}

/// The first match of the regular expression `pattern`'s first capture group in `text`, as a number.
func number(in text: String, _ pattern: String) -> Double? {
    guard let re = try? NSRegularExpression(pattern: pattern),
          let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
          let r = Range(m.range(at: 1), in: text) else { return nil }
    return Double(text[r])
}
