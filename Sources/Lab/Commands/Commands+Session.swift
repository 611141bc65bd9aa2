import Foundation
import SSL

extension Commands {
    static func sessionCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("help", aliases: ["?"], family: "session", usage: "help [COMMAND]",
                    summary: "list commands, or explain one with an example",
                    example: "help grad", arity: 0...1, completion: [.command]) { s, args in
                if let name = args.first {
                    guard let c = interpreter.command(named: name) else {
                        throw LabError(Suggestions.unknown("command", name, among: interpreter.names))
                    }
                    s.print(s.bold(c.usage))
                    s.print("  " + c.summary)
                    if !c.details.isEmpty {
                        for line in c.details.split(separator: "\n", omittingEmptySubsequences: false) { s.print("  " + line) }
                    }
                    if !c.aliases.isEmpty { s.print("  aliases: " + c.aliases.joined(separator: ", ")) }
                    s.print("  example: " + c.example)
                    return
                }
                var families: [String] = []
                for c in interpreter.commands where !families.contains(c.family) { families.append(c.family) }
                for f in families {
                    s.print(s.bold(f))
                    for c in interpreter.commands where c.family == f {
                        s.print("  " + c.usage.padding(toLength: max(30, c.usage.count + 2), withPad: " ", startingAt: 0) + c.summary)
                    }
                }
                s.print("Type 'help COMMAND' for details and an example.")
            },
            Command("set", family: "session", usage: "set KEY VALUE",
                    summary: "set a setting or a method hyper-parameter (lambda, tau, rho, eps, lr, batch, …)",
                    details: "Method hyper-parameters apply to the current method; 'show' lists all keys.",
                    example: "set lambda 10", arity: 2...2, completion: [.settingKey, .none]) { s, args in
                try s.set(args[0], args[1])
                s.print("\(args[0]) = \(s.config.value(of: args[0]) ?? args[1])")
            },
            Command("show", family: "session", usage: "show [KEY]",
                    summary: "show the settings (or one of them)",
                    example: "show lambda", arity: 0...1, completion: [.settingKey]) { s, args in
                if let key = args.first {
                    guard let v = s.value(of: key) else {
                        throw LabError(Suggestions.unknown("key", key, among: TrainingConfig.keyNames + s.methodKeys))
                    }
                    s.print("\(key) = \(v)")
                    return
                }
                s.print("method \(s.config.method), target \(s.config.target.rawValue), preset \(s.config.preset)")
                s.print(s.bold("method hyper-parameters"))
                for key in s.methodKeys { s.print("  \(key.padding(toLength: 18, withPad: " ", startingAt: 0)) \(s.value(of: key) ?? "")") }
                s.print(s.bold("settings"))
                for key in TrainingConfig.keys {
                    s.print("  \(key.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(key.get(s.config).padding(toLength: 14, withPad: " ", startingAt: 0)) \(key.help)")
                }
            },
            Command("config", family: "session", usage: "config FILE",
                    summary: "load an official UniGrad config file (YAML): method, target, λ/ρ/ε/τ, architecture, schedule",
                    details: "The file's settings apply on top of the current ones (keep 'preset paper' first for its\nimage size and augmentations); empty values keep the current setting; unknown keys are an\nerror. The model is rebuilt at the next step. 'show' lists the result.",
                    example: "config configs/unigrad.py", arity: 1...1, completion: [.path]) { s, args in
                let notes = try s.loadOfficialConfig(path: args[0])
                for note in notes { s.print("note: " + note) }
                let c = s.config
                s.print("loaded \(args[0]): method \(c.method), target \(c.target.rawValue), encoder \(c.encoder), batch \(c.batchSize), epochs \(c.epochs), lr \(formatNumber(c.baseLR)), m0 \(formatNumber(c.baseMomentum))")
            },
            Command("seed", family: "session", usage: "seed N", summary: "set the random seed (batches, initialisation)",
                    example: "seed 7", arity: 1...1) { s, args in
                try s.set("seed", args[0])
                s.print("seed = \(s.config.seed)")
            },
            Command("reset", family: "session", usage: "reset", summary: "forget the model, batch and history; keep settings",
                    example: "reset") { s, _ in
                s.resetState()
                s.print("session reset (settings kept)")
            },
            Command("quit", aliases: ["exit"], family: "session", usage: "quit", summary: "leave the shell (Ctrl-D also works)",
                    example: "quit") { s, _ in
                s.wantsExit = true
            },
        ]
    }
}
