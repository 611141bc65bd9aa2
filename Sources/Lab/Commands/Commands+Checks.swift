import Foundation
import TensorCore
import Methods
import SSL

extension Commands {
    /// Finite-difference checks and the derivations' numeric checks.
    static func checkCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("check", aliases: ["gradcheck"], family: "checks", usage: "check [features|params|all] [K]",
                    summary: "finite-difference check of the current method on the current batch (Double)",
                    details: """
                        features: ∂L/∂z1 and ∂L/∂z2 against a fourth-order central difference on K coordinates
                        (default 200); params: K coordinates (default 6) of sampled network weights through a Double
                        copy of the whole network. Surrogate methods are checked on their surrogate with g fixed.
                        """,
                    example: "check all 8", arity: 0...2, completion: [.choices(["features", "params", "all"])]) { s, args in
                let what = args.first ?? "features"
                guard ["features", "params", "all"].contains(what) else {
                    throw LabError("check takes features, params or all, got '\(what)'")
                }
                let a = try s.analyzeBatch()
                let t = try s.ensureTrainer()
                let b = try s.requireBatch()
                let d = try s.ensureData()
                let fb = FeatureBatch(outputs: a.outputs, trainer: t, labels: b.labels, classNames: d.train.classNames)
                let method = try MethodCatalog.make(t.method.name, Double.self, parameters: t.method.parameters)
                if s.config.target == .momentumPositive {
                    s.print("note: momentum-positive mixes two evaluations; the check uses the method with momentum targets")
                }
                var outcomes: [GradientCheck.Outcome] = []
                if what != "params" {
                    let k = try args.count > 1 ? args.int(1, "K", in: 1...1_000_000) : 200
                    outcomes += GradientCheck.features(method, batch: fb, coordinates: k, interrupt: s.interrupt)
                }
                if what != "features" {
                    let k = try args.count > 1 ? args.int(1, "K", in: 1...10_000) : 6
                    outcomes += try GradientCheck.parameters(method, batch: fb, views: (b.view1, b.view2), config: s.config, trainer: t,
                                                             inputChannels: d.train.channels, perTensor: k, interrupt: s.interrupt)
                }
                s.print("finite differences of \(method.name) on batch #\(s.state.batchesDrawn) (N \(b.count), D \(a.outputs.z1.columns)), Double, 4th-order stencil")
                for o in outcomes { s.print("  " + o.line) }
                let failed = outcomes.filter { !$0.passed }
                if s.interrupt.isRaised { s.print("(interrupted: partial check)") }
                if !failed.isEmpty {
                    throw LabError("\(failed.count) finite-difference check\(failed.count == 1 ? "" : "s") failed (worst: \(failed[0].what), analytic \(failed[0].worstAnalytic) vs numeric \(failed[0].worstNumeric))")
                }
                s.print("all \(outcomes.count) checks passed")
            },
            Command("verify", family: "checks", usage: "verify [DERIVATION]",
                    summary: "run the numeric checks named by a derivation (or all of them)",
                    details: "Derivations are derivations/*.md: loss → gradient → unified form; every step names a check.",
                    example: "verify contrastive", arity: 0...1, completion: [.choices(["unified-form", "contrastive", "asymmetric", "decorrelation", "unigrad"])]) { s, args in
                let files: [String]
                do {
                    let all = try DerivationVerifier.derivationFiles(in: s.derivationDirectory)
                    if let name = args.first {
                        if FileManager.default.fileExists(atPath: name) {
                            files = [name]
                        } else {
                            let names = all.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
                            guard let i = names.firstIndex(of: name) ?? names.firstIndex(where: { $0.hasPrefix(name) }) else {
                                throw LabError(Suggestions.unknown("derivation", name, among: names))
                            }
                            files = [all[i]]
                        }
                    } else {
                        files = all
                    }
                    let report = try DerivationVerifier.verify(paths: files)
                    for line in report.text.split(separator: "\n", omittingEmptySubsequences: false) { s.print(String(line)) }
                    if !report.allPassed { throw LabError("\(report.failedCount) derivation check\(report.failedCount == 1 ? "" : "s") failed") }
                } catch let e as DerivationError {
                    throw LabError(e.description)
                }
            },
        ]
    }
}
