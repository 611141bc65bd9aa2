import ArgumentParser
import Foundation
import Layers
import Lab

/// `unigrad run FILE…`: runs command scripts or lessons headless.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run command scripts (*.unigrad) or lessons (*.md) without a prompt; exit 1 if anything failed.")

    @Argument(help: "Script or lesson files.")
    var files: [String]

    @Flag(name: .long, help: "Keep going after a failure and report all of them.")
    var keepGoing = false

    func run() throws {
        KernelThreading.followBLASThreads()
        AllocatorTuning.keepFreedMemory()
        let session = Session(useColor: Terminal.colorEnabled(forStandardOutput: true))
        let interpreter = Interpreter(session: session)
        ReadlineShell.installPlainInterruptHandler(interpreter)
        var failures = 0
        for file in files {
            do {
                failures += try ScriptRunner(interpreter: interpreter, keepGoing: keepGoing).run(path: file)
            } catch {
                session.error("\(error)")
                failures += 1
            }
            if failures > 0 && !keepGoing { break }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// Whether output goes to a terminal that may show colour.
enum Terminal {
    static func colorEnabled(forStandardOutput: Bool) -> Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(1) == 1
    }
}
