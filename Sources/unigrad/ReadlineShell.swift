import Foundation
import CReadline
import Glibc
import Lab

/// The interactive front end: GNU readline (line editing, history in `~/.unigrad_history`, tab
/// completion from the interpreter), Ctrl-C to stop a running command, Ctrl-D to exit. This file
/// is the only place that touches the terminal; everything it runs is `Lab`.
enum ReadlineShell {
    /// The interpreter the C callbacks consult (readline's callbacks cannot capture context).
    nonisolated(unsafe) static var interpreter: Interpreter?
    nonisolated(unsafe) static var commandRunning = false
    nonisolated(unsafe) static var completions: [String] = []

    static var historyPath: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".unigrad_history")
    }

    /// Runs the shell until Ctrl-D or `quit`; returns the process exit status.
    static func run(interpreter: Interpreter) -> Int32 {
        Self.interpreter = interpreter
        let session = interpreter.session
        installInterruptHandler()
        rl_readline_name = UnsafePointer(strdup("unigrad"))
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            guard let text, let interp = ReadlineShell.interpreter else { return nil }
            let line = rl_line_buffer.map { String(cString: $0) } ?? ""
            let before = String(line.utf8.prefix(Int(start))) ?? ""
            ReadlineShell.completions = interp.completions(lineBefore: before, word: String(cString: text))
            if ReadlineShell.completions.count == 1, ReadlineShell.completions[0].hasSuffix("/") {
                rl_completion_append_character = 0
            }
            return rl_completion_matches(text) { _, state in
                let i = Int(state)
                guard i < ReadlineShell.completions.count else { return nil }
                return strdup(ReadlineShell.completions[i])
            }
        }
        using_history()
        stifle_history(2000)
        // append_history() does not create the file: make it on first use.
        if !FileManager.default.fileExists(atPath: historyPath) { _ = write_history(historyPath) }
        _ = read_history(historyPath)
        session.isTerminal = isatty(1) == 1
        session.print("UniGrad Lab — the unified gradient framework, hands on. 'help' lists commands, 'lessons' the lessons, Ctrl-D exits.")
        var lastLine = ""
        while !session.wantsExit {
            guard let raw = readline(decoratedPrompt(session)) else {
                session.print("")
                break
            }
            let line = String(cString: raw)
            free(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed != lastLine {
                add_history(trimmed)
                _ = append_history(1, historyPath)
                lastLine = trimmed
            }
            commandRunning = true
            interpreter.execute(trimmed)
            commandRunning = false
            if session.interrupt.isRaised { session.print("(interrupted)") }
        }
        _ = history_truncate_file(historyPath, 2000)
        return 0
    }

    /// The prompt, in bold cyan on a colour terminal (escapes wrapped in \001…\002 so that readline
    /// does not count them as visible characters).
    static func decoratedPrompt(_ session: Session) -> String {
        guard session.useColor else { return session.prompt }
        return "\u{01}\u{1B}[1;36m\u{02}" + session.prompt.trimmingCharacters(in: .whitespaces) + "\u{01}\u{1B}[0m\u{02} "
    }

    /// Ctrl-C: while a command runs, ask it to stop after its current step; at the prompt, clear the line.
    static func installInterruptHandler() {
        rl_catch_signals = 0
        signal(SIGINT) { _ in
            if ReadlineShell.commandRunning {
                ReadlineShell.interpreter?.session.interrupt.raise()
            } else {
                _ = write(1, "\n", 1)
                rl_on_new_line()
                rl_replace_line("", 0)
                rl_redisplay()
            }
        }
    }

    /// Runs commands from standard input without a prompt (piped input); exit status 1 if any failed.
    static func runPiped(interpreter: Interpreter) -> Int32 {
        installPlainInterruptHandler(interpreter)
        var failed = false
        while let line = readLine(strippingNewline: true) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if !interpreter.execute(trimmed) { failed = true }
            if interpreter.session.wantsExit { break }
        }
        return failed ? 1 : 0
    }

    static func installPlainInterruptHandler(_ interpreter: Interpreter) {
        Self.interpreter = interpreter
        commandRunning = true
        signal(SIGINT) { _ in
            if let flag = ReadlineShell.interpreter?.session.interrupt, !flag.isRaised {
                flag.raise()
            } else {
                _exit(130)
            }
        }
    }
}
