/// Every shell command, by family. Each family lives in its own file (`Commands+Family.swift`).
enum Commands {
    static func all(_ interpreter: Interpreter) -> [Command] {
        sessionCommands(interpreter) + lessonCommands(interpreter)
    }
}
