import Foundation
import Testing
import TensorCore
@testable import Methods

// The test suite's `unigrad verify`: every check of every derivation in the repository passes,
// every registered check is used, and the machinery reports bad input and wrong claims.

/// `<repo>/derivations`, located from this file: `<repo>/Tests/MethodsTests/Checks/<file>`.
private let derivationsDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("derivations").path
}()

/// A fresh temporary folder for files the tests write.
private func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("derivation-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

private func write(_ text: String, to name: String, in dir: String) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Derivations verify")
struct DerivationVerifyTests {
    @Test("every check of every derivation passes")
    func everyDerivationPasses() throws {
        let report = try DerivationVerifier.verify(directory: derivationsDirectory)
        for r in report.records where !r.result.passed {
            Issue.record("\(r.file): \(VerificationReport.line(for: r)) — \(r.result.note)")
        }
        #expect(report.allPassed)
        #expect(report.failedCount == 0)
        let files = Set(report.records.map { ($0.file as NSString).lastPathComponent })
        #expect(files == ["asymmetric.md", "contrastive.md", "decorrelation.md", "unified-form.md", "unigrad.md"])
        #expect(report.summary == "\(report.records.count) passed, 0 failed")
        #expect(report.text.hasSuffix(report.summary))
    }

    @Test("every registered check is named by some derivation, and the registry has no duplicates")
    func everyCheckIsUsed() throws {
        let docs = try DerivationVerifier.documents(paths: DerivationVerifier.derivationFiles(in: derivationsDirectory))
        #expect(DerivationVerifier.unusedCheckIDs(documents: docs) == [])
        #expect(Set(DerivationChecks.all.map(\.id)).count == DerivationChecks.all.count)
        // C1–C13 of paper.md §7 each have at least one check
        let references = DerivationChecks.all.map(\.reference).joined(separator: " ")
        for c in 1...13 {
            #expect(references.range(of: "C\(c)(?![0-9])", options: .regularExpression) != nil, "no check for C\(c)")
        }
    }

    @Test("a second seed passes the exact claims too")
    func anotherSeed() {
        for check in DerivationChecks.all where check.id.hasPrefix("infonce") || check.id.hasPrefix("unigrad.")
            || check.id.hasPrefix("barlow.l2") || check.id.hasPrefix("predictor") {
            let r = check.run(7)
            #expect(r.passed, "\(check.id) with seed 7: rel err \(r.maxRelativeError)")
        }
    }
}

@Suite("Derivation documents")
struct DerivationDocumentTests {
    @Test("the parser finds check ids in order, with line numbers, and skips other fences")
    func parsesCheckFences() throws {
        let text = """
            # Title
            Some math $a = b$.

            ```check
            infonce.gradient-wrt-u
            ```

            ```swift
            let notACheck = 1
            ```

            ````markdown
            ```check
            shown.as.an-example
            ```
            ````

            ~~~check
              unigrad.gradient
            unigrad.f-trace-one
            ~~~
            Inline ```check``` is not a fence.
            """
        let doc = try DerivationDocument.parse(text, path: "t.md")
        #expect(doc.checkIDs == ["infonce.gradient-wrt-u", "unigrad.gradient", "unigrad.f-trace-one"])
        #expect(doc.references.map(\.line) == [5, 19, 20])
    }

    @Test("the repository's derivations name checks in every file")
    func repositoryFilesHaveChecks() throws {
        let contrastive = try DerivationDocument.load(path: (derivationsDirectory as NSString).appendingPathComponent("contrastive.md"))
        #expect(contrastive.checkIDs.first == "infonce.gradient-wrt-u")
        #expect(contrastive.checkIDs.contains("simclr.code-form"))
    }

    @Test("an unknown check id is a typed error with its line")
    func unknownID() throws {
        let dir = try temporaryDirectory()
        let path = try write("intro\n```check\nunigrad.gradient\nno.such-check\n```\n", to: "bad.md", in: dir)
        #expect(throws: DerivationError.unknownCheck(id: "no.such-check", path: path, line: 4)) {
            try DerivationVerifier.verify(paths: [path])
        }
    }

    @Test("a missing file, a file without checks, an unclosed fence and an empty folder are typed errors")
    func badInput() throws {
        let dir = try temporaryDirectory()
        let missing = (dir as NSString).appendingPathComponent("missing.md")
        #expect(throws: DerivationError.fileNotFound(path: missing)) { try DerivationVerifier.verify(paths: [missing]) }

        let empty = try write("# Nothing to check\n```swift\nprint(1)\n```\n", to: "empty.md", in: dir)
        #expect(throws: DerivationError.noChecks(path: empty)) { try DerivationVerifier.verify(paths: [empty]) }

        let open = try write("```check\nunigrad.gradient\n", to: "open.md", in: dir)
        #expect(throws: DerivationError.unterminatedFence(path: open, line: 1)) { try DerivationVerifier.verify(paths: [open]) }

        let binary = (dir as NSString).appendingPathComponent("binary.md")
        FileManager.default.createFile(atPath: binary, contents: Data([0xff, 0xfe, 0x00, 0xc3]))
        #expect(throws: DerivationError.unreadable(path: binary, reason: "not UTF-8 text")) {
            try DerivationVerifier.verify(paths: [binary])
        }

        let noDocs = try temporaryDirectory()
        #expect(throws: DerivationError.noDerivations(directory: noDocs)) { try DerivationVerifier.verify(directory: noDocs) }
        #expect(DerivationError.unknownCheck(id: "x", path: "a.md", line: 3).description == "a.md:3: unknown check id 'x'")
    }

    @Test("the derivations folder is found from a nested working directory")
    func locatesDerivations() {
        let nested = ((derivationsDirectory as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Sources/Methods")
        let found = DerivationVerifier.locateDerivationsDirectory(currentDirectory: nested, executablePath: nil)
        #expect(found.map { ($0 as NSString).standardizingPath } == (derivationsDirectory as NSString).standardizingPath)
        #expect(DerivationVerifier.locateDerivationsDirectory(currentDirectory: "/", executablePath: nil) == nil)
    }
}

@Suite("Checks can fail")
struct BrokenCheckTests {
    /// The InfoNCE loss of one batch written out, and a *wrong* claimed gradient: the 1/τ is missing.
    static let wrongInfoNCE = DerivationCheck(id: "broken.infonce-without-tau", claim: "a deliberately wrong gradient") { seed in
        var rng = RandomGenerator(seed: seed)
        let tau = 0.2
        let u = CheckKit.unitRows(8, 4, rng: &rng), keys = CheckKit.unitRows(8, 4, rng: &rng)
        func loss(_ x: Tensor<Double>) -> Double {
            let lse = CheckKit.logSumExpRows(x.matmul(keys, transposeOther: true) / tau)
            let pos = CheckKit.rowDots(x, keys)
            return (0..<x.rows).reduce(0) { $0 - pos[$1] / tau + lse[$1] }
        }
        let right = (-keys + CheckKit.softmaxRows(u.matmul(keys, transposeOther: true) / tau).matmul(keys)) / tau
        return CheckKit.gradientCheck(analytic: right * tau, of: loss, at: u)   // wrong by the factor τ
    }

    @Test("a wrong gradient fails its finite-difference check; the right one passes")
    func wrongGradientFails() {
        let r = Self.wrongInfoNCE.run(1)
        #expect(!r.passed)
        #expect(r.maxRelativeError > 0.5)
        var rng = RandomGenerator(seed: 1)
        let x = Tensor<Double>.randomNormal([4, 3], using: &rng)
        #expect(CheckKit.gradientCheck(analytic: 2 * x, of: { $0.squaredNorm() }, at: x).passed)
        #expect(!CheckKit.gradientCheck(analytic: 2.001 * x, of: { $0.squaredNorm() }, at: x).passed)
    }

    @Test("verify reports a failing check as FAIL and counts it")
    func verifyReportsFailure() throws {
        let dir = try temporaryDirectory()
        let path = try write("```check\nbroken.infonce-without-tau\nunigrad.gradient\n```\n", to: "broken.md", in: dir)
        var registry = DerivationChecks.byID
        registry[Self.wrongInfoNCE.id] = Self.wrongInfoNCE
        let report = try DerivationVerifier.verify(paths: [path], registry: registry)
        #expect(report.failedCount == 1 && report.passedCount == 1)
        #expect(!report.allPassed)
        #expect(report.summary == "1 passed, 1 failed")
        #expect(report.text.contains("FAIL  broken.infonce-without-tau"))
        #expect(report.text.contains("PASS  unigrad.gradient"))
    }

    @Test("an approximation fails when its measured cosine misses the threshold; NaN never passes")
    func approximationFails() {
        var rng = RandomGenerator(seed: 3)
        let u = CheckKit.unitRows(6, 5, rng: &rng)
        let g = Tensor<Double>.randomNormal([6, 5], using: &rng)
        let same = CheckKit.approximation(exact: g, approx: 3 * g, projectingAt: u, statistic: .min, threshold: 0.999)
        #expect(same.passed)
        #expect(abs((same.measurement?.value ?? 0) - 1) < 1e-12)
        let opposite = CheckKit.approximation(exact: g, approx: -g, projectingAt: u, statistic: .mean, threshold: 0.5)
        #expect(!opposite.passed)
        #expect(abs((opposite.measurement?.value ?? 0) + 1) < 1e-12)
        #expect(!CheckResult(maxAbsoluteError: .nan, maxRelativeError: .nan, tolerance: 1).passed)
        #expect(!CheckMeasurement(name: "x", value: .nan, threshold: 0).passes)
    }
}
