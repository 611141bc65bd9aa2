import Foundation
import Methods
import TensorCore
import Testing

/// End-to-end runs of the built `unigrad grad` executable.
@Suite(.serialized) struct GradCommandTests {
    typealias Run = CommandOutput

    func run(_ arguments: [String]) throws -> Run { try runUnigrad(["grad"] + arguments) }

    func expectOneLineError(_ r: Run, _ fragment: String, status: ClosedRange<Int32> = 1...2, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status.contains(r.status), "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && r.stderr.hasPrefix("error: "), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(fragment), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func jsonOutputMatchesTheLibrary() throws {
        let b = RandomBatch(n: 6, d: 4, seed: 40)
        let path = temporaryFile(batchJSON([("z1", b.z1), ("z2", b.z2), ("z1t", b.z1t), ("z2t", b.z2t), ("F", randomCorrelation(d: 4, seed: 2))]))
        let r = try run(["--method", "unigrad", "--input", path, "--set", "lambda=10", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "unigrad" && object["loss_kind"] as? String == "loss")
        #expect((object["params"] as? [String: Any])?["lambda"] as? Double == 10)
        let expected = UniGradMethod<Double>(lambda: 10, rho: 0.99).evaluate(
            z1: b.z1, z2: b.z2, targets: b.targets, state: MethodState(correlation: randomCorrelation(d: 4, seed: 2)))
        let loss = try #require(object["loss"] as? Double)
        #expect(abs(loss - expected.loss) <= 1e-12 * abs(expected.loss))
        let g1 = try BatchInput.readMatrix(object["grad_z1"] as Any, key: "grad_z1")
        #expect((g1 - expected.gradZ1).maxAbs() <= 1e-14)
        let terms = try #require(object["terms"] as? [String: Any])
        let view1 = try #require(terms["view1"] as? [String: Any])
        let samples = try #require(view1["samples"] as? [[String: Any]])
        #expect(samples.count == 6)
        for key in ["positive", "negative", "lambda", "weights", "residual"] { #expect(samples[0][key] != nil, "missing \(key)") }
        #expect((samples[0]["weights"] as? [Any])?.count == (view1["negatives"] as? [Any])?.count)
        #expect(terms["view2"] != nil)
    }

    @Test func readableReport() throws {
        let b = RandomBatch(n: 5, d: 3, seed: 41)
        let path = temporaryFile(batchJSON([("z1", b.z1), ("z2", b.z2)]))
        let r = try run(["--method", "barlow", "--input", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("loss = ") && r.stdout.contains("on-diagonal") && r.stdout.contains("off-diagonal"))
        #expect(r.stdout.contains("view 1") && r.stdout.contains("sample 0") && r.stdout.contains("top weights"))
    }

    @Test func badInputIsOneLineAndExitCode1Or2() throws {
        let good = temporaryFile(batchJSON([("z1", Tensor(rows: [[1, 2], [3, 4]])), ("z2", Tensor(rows: [[1, 0], [0, 1]]))]))
        expectOneLineError(try run(["--method", "nope", "--input", good]), "unknown method 'nope'; valid methods: moco, simclr")
        expectOneLineError(try run(["--input", good]), "missing --method")
        expectOneLineError(try run(["--method", "moco"]), "missing --input")
        expectOneLineError(try run(["--method", "moco", "--input", good, "--set", "lambda=3"]), "has no parameter 'lambda'")
        expectOneLineError(try run(["--method", "moco", "--input", good, "--set", "tau"]), "malformed setting")
        expectOneLineError(try run(["--method", "moco", "--input", good, "--set", "tau=x"]), "invalid value 'x'")
        expectOneLineError(try run(["--method", "moco", "--input", good, "--bogus"]), "unexpected argument '--bogus'")
        expectOneLineError(try run(["--method", "moco", "--input"]), "missing value for '--input'", status: 2...2)
        expectOneLineError(try run(["--method"]), "missing value for '--method'", status: 2...2)
        expectOneLineError(try run(["--method", "moco", "--input", good, "--set"]), "missing value for '--set'", status: 2...2)
        expectOneLineError(try run(["--json=yes", "--method", "moco", "--input", good]), "'--json' takes no value", status: 2...2)
        let help = try run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("batch.json"))
        let inline = try run(["--method=simclr", "--input=\(good)", "--set=tau=0.5"])
        #expect(inline.status == 0 && inline.stdout.contains("tau=0.5"), "\(inline.stderr)")
        expectOneLineError(try run(["--method", "moco", "--input", "/nonexistent.json"]), "cannot read")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z1\": [[1, 2]], ")]), "not valid JSON")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z1\": [[1e400, 2]], \"z2\": [[1, 2]]}")]), "not valid JSON")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z2\": [[1, 2]]}")]), "missing required array 'z1'")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z1\": [[1, 2], [3]], \"z2\": [[1, 2], [3, 4]]}")]), "ragged")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z1\": [[1, null]], \"z2\": [[1, 2]]}")]), "not a number")
        expectOneLineError(try run(["--method", "moco", "--input", temporaryFile("{\"z1\": [[1, 2]], \"z2\": [[1, 2]], \"queue\": [[1, 2, 3]]}")]), "'queue' has shape 1×3")
        expectOneLineError(try run(["--method", "unigrad", "--input", temporaryFile("{\"z1\": [[1, 2]], \"z2\": [[1, 2]], \"F\": [[1]]}")]), "'F' has shape 1×1")
        expectOneLineError(try run(["--method", "vicreg", "--input", temporaryFile("{\"z1\": [[1, 2]], \"z2\": [[1, 2]]}")]), "at least 2 samples")
    }
}
