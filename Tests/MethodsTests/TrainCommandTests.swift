import Foundation
import Testing

/// End-to-end runs of the built `unigrad train` (kept beside the other command-line tests, which
/// share `unigradExecutable()`): every user error is one `error:` line with status 1 or 2.
@Suite(.serialized) struct TrainCommandTests {
    typealias Run = CommandOutput

    func train(_ arguments: [String]) throws -> Run { try runUnigrad(["train"] + arguments) }

    @Test(arguments: [
        (["--preset", "huge"], "unknown preset 'huge'"),
        (["--method", "unigard"], "did you mean 'unigrad'"),
        (["--set", "bacth=3"], "did you mean 'batch'"),
        (["--set", "lr=-1"], "lr must be ≥ 0"),
        (["--set", "lr"], "--set takes key=value"),
        (["--set", "lambda=nan"], "lambda"),
        (["--target", "ema"], "target must be one of"),
        (["--set", "dataset=cifar10", "--set", "data_dir=/nonexistent/cifar"], "/nonexistent/cifar"),
    ])
    func badInputIsOneLine(_ arguments: [String], _ fragment: String) throws {
        let r = try train(arguments + ["--set", "max_steps=1", "--quick"])
        #expect((1...2).contains(r.status), "status \(r.status)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.contains(fragment), "stderr: \(r.stderr)")
    }

    /// `unigrad bench --only train` builds the preset's own network (the `small` preset's grid-pool
    /// head widens the projector's input) and reports the step against the same run's sgemm.
    @Test(arguments: ["small", "tiny"])
    func benchTimesThePresetsTrainingStep(_ preset: String) throws {
        let r = try runUnigrad(["bench", "--only", "train", "--preset", preset, "--batch", "8", "--steps", "1",
                                "--repeats", "1", "--size", "256", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        let imagesPerSecond = try #require(json["train_images_per_s"] as? Double)
        let fraction = try #require(json["train_gflops_fraction"] as? Double)
        #expect(imagesPerSecond > 0 && fraction > 0, "\(json)")
    }

    /// The binary lets idle OpenBLAS workers sleep after 2²⁰ cycles (`BLASThreads.limitIdleSpinning`)
    /// unless the user chose a timeout with `OPENBLAS_THREAD_TIMEOUT`; the bench reports the value
    /// OpenBLAS runs with.
    @Test(arguments: [(nil, 20), ("24", 24)] as [(String?, Int)])
    func benchReportsTheBLASIdleSpin(_ variable: String?, _ expected: Int) throws {
        let r = try runUnigrad(["bench", "--only", "sgemm", "--repeats", "1", "--size", "64", "--json"],
                               environment: ["OPENBLAS_THREAD_TIMEOUT": variable])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
        #expect(json["blas_idle_spin_exponent"] as? Double == Double(expected), "\(json)")
    }

    @Test func aShortRunWritesResultsAndACheckpointThatResumes() throws {
        let dir = NSTemporaryDirectory() + "unigrad-train-\(UUID().uuidString)"
        let results = dir + "/results.jsonl"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let common = ["--preset", "tiny", "--set", "synthetic_train=256", "--set", "synthetic_test=100",
                      "--set", "batch=32", "--epochs", "1", "--checkpoint-dir", dir, "--results", results, "--quick"]
        let first = try train(common + ["--set", "max_steps=4"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("final: kNN top-1"))
        #expect(FileManager.default.fileExists(atPath: dir + "/checkpoint.safetensors"))
        let second = try train(common + ["--set", "max_steps=6", "--resume"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resumed from") && second.stdout.contains("at step 4"))
        let lines = try String(contentsOfFile: results, encoding: .utf8).split(separator: "\n")
        let finals = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
            .filter { $0["final"] as? Bool == true }
        #expect(finals.count == 2)
        #expect(finals.last?["steps"] as? Int == 6)
        #expect((finals.last?["knn_top1"] as? Double).map { $0 > 0 && $0 <= 100 } == true)
        // A corrupt checkpoint: one line, and the file is left as it was.
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
        let broken = try train(common + ["--set", "max_steps=8", "--resume"])
        #expect(broken.status == 1 && broken.stderr.hasPrefix("error: ") && broken.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: dir + "/checkpoint.safetensors", encoding: .utf8) == "not a checkpoint")
    }
}
