import Foundation
import Methods
import SSL

extension Commands {
    /// Choosing the method, the target branch and the preset.
    static func methodCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("use", aliases: ["method"], family: "session", usage: "use METHOD",
                    summary: "choose the method (the model and its training are kept)",
                    details: "Hyper-parameters you set for another method stay stored; 'show' lists the new method's keys.",
                    example: "use byol-directpred", arity: 1...1, completion: [.method]) { s, args in
                let before = s.config
                try s.set("method", args[0])
                let d = try MethodCatalog.descriptor(named: s.config.method)
                s.print("method \(d.name) (\(d.family.rawValue)\(d.tableRow == "–" ? "" : ", Table 1 \(d.tableRow)")): \(d.summary)")
                let keys = s.methodKeys.map { "\($0) = \(s.value(of: $0) ?? "?")" }
                if !keys.isEmpty { s.print("  " + keys.joined(separator: ", ")) }
                let changed = Presets.methodSettingKeys.filter { before.value(of: $0) != s.config.value(of: $0) }
                if !changed.isEmpty {
                    s.print("  \(s.config.preset) settings for \(d.name): "
                            + changed.map { "\($0) = \(s.config.value(of: $0) ?? "?")" }.joined(separator: ", "))
                }
            },
            Command("methods", family: "session", usage: "methods", summary: "list the methods of the catalogue",
                    example: "methods") { s, _ in
                for d in MethodCatalog.all {
                    let mark = d.name == s.config.method ? "*" : " "
                    s.print("\(mark) \(TextFormat.pad(d.name, 16)) \(TextFormat.pad(d.family.rawValue, 14)) \(TextFormat.pad(d.tableRow, 4)) \(d.summary)")
                }
            },
            Command("target", family: "session", usage: "target BRANCH",
                    summary: "choose the target branch: stopgrad, momentum or momentum-positive (Table 2)",
                    details: "A new target branch builds a new model (the momentum copy exists only for momentum targets).",
                    example: "target momentum-positive", arity: 1...1, completion: [.target]) { s, args in
                try s.set("target", args[0])
                s.print("target \(s.config.target.rawValue)")
            },
            Command("preset", family: "session", usage: "preset NAME",
                    summary: "start from a preset's settings: tiny, small, full or paper (method and target kept)",
                    example: "preset tiny", arity: 1...1, completion: [.preset]) { s, args in
                guard var c = Presets.config(args[0]) else {
                    throw LabError(Suggestions.unknown("preset", args[0], among: Presets.names))
                }
                c.method = s.config.method
                c.target = s.config.target
                c.seed = s.config.seed
                c.applyMethodSettings()
                s.config = c
                s.state.analysis = nil
                s.print("preset \(c.preset): \(c.dataset) data, \(c.encoder) encoder, projector \(c.projectorHidden)→\(c.projectorOutput), batch \(c.batchSize), \(c.epochs) epochs")
            },
        ]
    }
}
