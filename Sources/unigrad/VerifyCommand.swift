import ArgumentParser
import Foundation
import Methods

/// `unigrad verify [FILE...] [--dir DIR] [--seed S] [--list]`: runs the numeric checks named by
/// derivation files and prints, per check, the file, id, PASS/FAIL, max absolute and relative
/// error (or the measured quantity of an approximation) and the claim; then `N passed, M failed`.
///
/// Exit status: 0 all passed, 1 some check failed, 2 bad input (missing/unreadable file, file
/// without checks, unknown check id, no derivations folder) — reported as one line on stderr.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run the numeric checks of derivation files (default: every derivations/*.md).",
        discussion: """
            Without FILE arguments the derivations folder is, in order: --dir DIR; else `derivations/` \
            in the current directory or its nearest parent that has one; else `derivations/` in the \
            repository the executable was built in (found by walking up from .build/<config>/unigrad). \
            Checks run in Double on inputs drawn from a seeded generator (--seed, default \
            \(DerivationVerifier.defaultSeed)). Exit status: 0 all passed, 1 a check failed, 2 bad input.
            """)

    @Argument(help: "Derivation files (Markdown with ```check fences).")
    var files: [String] = []

    @Option(help: "Folder of derivations to verify when no FILE is given.")
    var dir: String?

    @Option(help: "Seed of the random inputs.")
    var seed: UInt64 = DerivationVerifier.defaultSeed

    @Flag(help: "List the registered checks (id and claim) instead of running them.")
    var list = false

    func run() throws {
        if list {
            for check in DerivationChecks.all {
                print("\(check.id)\t\(check.reference.isEmpty ? "" : "[\(check.reference)] ")\(check.claim)")
            }
            return
        }
        let report: VerificationReport
        do {
            let paths = try files.isEmpty ? DerivationVerifier.derivationFiles(in: derivationsDirectory()) : files
            report = try DerivationVerifier.verify(paths: paths, seed: seed)
        } catch let error as DerivationError {
            FileHandle.standardError.write(Data("unigrad verify: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        print(report.text)
        if !report.allPassed { throw ExitCode(1) }
    }

    /// `--dir`, else the lookup described in the discussion.
    private func derivationsDirectory() throws -> String {
        if let dir { return dir }
        let cwd = FileManager.default.currentDirectoryPath
        let exe = Bundle.main.executablePath ?? CommandLine.arguments.first
        guard let found = DerivationVerifier.locateDerivationsDirectory(currentDirectory: cwd, executablePath: exe) else {
            throw DerivationError.noDerivations(directory: "derivations (searched from \(cwd) and the executable's folder)")
        }
        return found
    }
}
