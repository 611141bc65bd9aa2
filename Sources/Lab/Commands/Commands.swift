/// Every shell command, by family. Each family lives in its own file (`Commands+Family.swift`).
enum Commands {
    static func all(_ interpreter: Interpreter) -> [Command] {
        let families: [[Command]] = [
            sessionCommands(interpreter),
            methodCommands(interpreter),
            dataCommands(interpreter),
            forwardCommands(interpreter),
            gradientCommands(interpreter),
            checkCommands(interpreter),
            trainingCommands(interpreter),
            plotCommands(interpreter),
            lessonCommands(interpreter),
        ]
        return families.flatMap { $0 }
    }
}
