import Foundation

/// One line of a verification: a check named by a derivation file, and its result.
public struct VerificationRecord: Sendable {
    /// The derivation file (as given).
    public var file: String
    public var checkID: String
    public var claim: String
    public var result: CheckResult
}

/// All results of a verification run, with the printed report.
public struct VerificationReport: Sendable {
    public var records: [VerificationRecord]
    /// The seed every check was run with.
    public var seed: UInt64

    public var passedCount: Int { records.filter(\.result.passed).count }
    public var failedCount: Int { records.count - passedCount }
    /// True when every check passed.
    public var allPassed: Bool { failedCount == 0 }
    /// `"N passed, M failed"`.
    public var summary: String { "\(passedCount) passed, \(failedCount) failed" }

    /// The report as printed by `unigrad verify`: per check, the file, id, PASS/FAIL, the errors
    /// (or the measured quantity) and the claim; then the summary line.
    public var text: String {
        var lines: [String] = []
        var currentFile: String?
        for r in records {
            if r.file != currentFile {
                lines.append(r.file)
                currentFile = r.file
            }
            lines.append("  " + Self.line(for: r))
            lines.append("      " + r.claim + (r.result.note.isEmpty ? "" : "  [\(r.result.note)]"))
        }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    /// `ID  PASS  max abs err …  max rel err … (tol …)` or `… measured …`.
    public static func line(for r: VerificationRecord) -> String {
        let status = r.result.passed ? "PASS" : "FAIL"
        var s = "\(status)  \(r.checkID)  max abs err \(formatCheckNumber(r.result.maxAbsoluteError))"
            + "  max rel err \(formatCheckNumber(r.result.maxRelativeError))"
        if let m = r.result.measurement {
            s += "  measured \(m)"
        } else if let tol = r.result.tolerance {
            s += " (tol \(formatCheckNumber(tol)))"
        }
        return s
    }
}

/// Runs the checks named by derivation files: what `unigrad verify` and the test suite call.
///
/// All files are read and every id is resolved *before* anything runs, so a bad file fails fast
/// with one `DerivationError` and no partial output.
public enum DerivationVerifier {
    /// The seed of `unigrad verify` (any seed must pass; this one makes the printed numbers stable).
    public static let defaultSeed: UInt64 = 2022

    /// The `*.md` files of `directory`, sorted by name. Throws `noDerivations` if there are none.
    public static func derivationFiles(in directory: String) throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let files = names.filter { $0.hasSuffix(".md") }.sorted()
        guard !files.isEmpty else { throw DerivationError.noDerivations(directory: directory) }
        return files.map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Loads the files and resolves their ids against `registry`. Throws on the first missing or
    /// unreadable file, file without checks, or unknown id.
    public static func documents(paths: [String], registry: [String: DerivationCheck] = DerivationChecks.byID) throws
        -> [DerivationDocument] {
        try paths.map { path in
            let doc = try DerivationDocument.load(path: path)
            guard !doc.references.isEmpty else { throw DerivationError.noChecks(path: path) }
            if let bad = doc.references.first(where: { registry[$0.id] == nil }) {
                throw DerivationError.unknownCheck(id: bad.id, path: path, line: bad.line)
            }
            return doc
        }
    }

    /// Runs every check named by `paths` (each distinct id once, results reused for repeats).
    public static func verify(paths: [String], seed: UInt64 = defaultSeed,
                              registry: [String: DerivationCheck] = DerivationChecks.byID) throws -> VerificationReport {
        let docs = try documents(paths: paths, registry: registry)
        var cache: [String: CheckResult] = [:]
        var records: [VerificationRecord] = []
        for doc in docs {
            for ref in doc.references {
                guard let check = registry[ref.id] else { continue }  // resolved above
                let result = cache[ref.id] ?? check.run(seed)
                cache[ref.id] = result
                records.append(VerificationRecord(file: doc.path, checkID: ref.id, claim: check.claim, result: result))
            }
        }
        return VerificationReport(records: records, seed: seed)
    }

    /// Runs every derivation of `directory` (see `derivationFiles(in:)`).
    public static func verify(directory: String, seed: UInt64 = defaultSeed) throws -> VerificationReport {
        try verify(paths: derivationFiles(in: directory), seed: seed)
    }

    /// Registered ids that no document names (should be empty for the repository's derivations).
    public static func unusedCheckIDs(documents: [DerivationDocument],
                                      registry: [DerivationCheck] = DerivationChecks.all) -> [String] {
        let used = Set(documents.flatMap(\.checkIDs))
        return registry.map(\.id).filter { !used.contains($0) }
    }

    /// Where `unigrad verify` looks for `derivations/` when no file and no `--dir` is given:
    /// 1. `derivations/` in the current directory or any of its parents;
    /// 2. `derivations/` next to the repository the executable was built in, found by walking up
    ///    from the executable's path (`<repo>/.build/<config>/unigrad`).
    /// Returns `nil` if neither exists.
    public static func locateDerivationsDirectory(currentDirectory: String, executablePath: String?) -> String? {
        var starts = [currentDirectory]
        if let exe = executablePath { starts.append((exe as NSString).deletingLastPathComponent) }
        for start in starts {
            var dir = (start as NSString).standardizingPath
            while true {
                let candidate = (dir as NSString).appendingPathComponent("derivations")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate
                }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }
}
