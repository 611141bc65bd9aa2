import Foundation
import Testing
import TensorCore
import SSL

/// The built `unigrad` next to the test bundle, or `.build/{release,debug}/unigrad`.
func unigradExecutable() -> URL? {
    let fm = FileManager.default
    var candidates: [URL] = []
    var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
    for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent("unigrad"))
        dir = dir.deletingLastPathComponent()
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates += ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/unigrad") }
    return candidates.first { fm.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
}

/// Open MPI's launcher and the options that make it work here (Open MPI 4.1, as root, 2 cores):
/// `--allow-run-as-root` (mpirun refuses root otherwise), `--oversubscribe` (more ranks than cores).
enum MPIRun {
    static var path: String? {
        ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static let options = ["--allow-run-as-root", "--oversubscribe"]
}

struct CommandRun { var status: Int32; var stdout: String; var stderr: String; var seconds: Double }

/// Runs `executable arguments` to completion (an `MPIRun` line if `ranks` is given).
func runCommand(_ executable: URL, _ arguments: [String], ranks: Int? = nil) throws -> CommandRun {
    let p = Process()
    if let ranks {
        let mpirun = try #require(MPIRun.path, "Open MPI's mpirun is missing: `make deps` installs openmpi-bin")
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["-np", "\(ranks)"] + MPIRun.options + [executable.path] + arguments
    } else {
        p.executableURL = executable
        p.arguments = arguments
    }
    var env = ProcessInfo.processInfo.environment
    env["OPENBLAS_NUM_THREADS"] = "1"
    // A single-process reference must not think it was launched by mpirun.
    for key in env.keys where key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") { env[key] = nil }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let start = Date()
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandRun(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self), seconds: Date().timeIntervalSince(start))
}

/// `mpirun -np 2 unigrad train` against one process on the same global batch: the parameters,
/// BN running statistics, optimizer momenta and `F` after several steps must agree to Float
/// rounding. This exercises the gradient all-reduce, SyncBN (forward and backward), the
/// all-gather of features (contrastive negatives of simclr, cross-correlation of barlow-l2) and
/// the global `F` of unigrad.
@Suite(.serialized) struct DataParallelTrainingTests {
    static let steps = 4

    static func train(method: String, ranks: Int?, directory: String, steps: Int = DataParallelTrainingTests.steps) throws -> CommandRun {
        let exe = try #require(unigradExecutable(), "build the unigrad executable first")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try runCommand(exe, ["train", "--preset", "tiny", "--method", method,
                                    "--set", "synthetic_train=256", "--set", "synthetic_test=64", "--set", "batch=32",
                                    "--set", "max_steps=\(steps)", "--epochs", "1", "--set", "threads=1",
                                    "--checkpoint-dir", directory, "--results", directory + "/results.jsonl", "--quick"],
                              ranks: ranks)
    }

    static func checkpoint(_ directory: String) throws -> [String: Tensor<Float>] {
        try CheckpointStore.read(from: directory + "/checkpoint.safetensors").0.tensors
    }

    /// `max |a − b| / max(max |a|, 1e-3)` for one tensor.
    static func relativeDifference(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Double {
        let diff = zip(a.scalars, b.scalars).map { Double(abs($0 - $1)) }.max() ?? 0
        let scale = a.scalars.map { Double(abs($0)) }.max() ?? 0
        return diff / max(scale, 1e-3)
    }

    @Test(arguments: ["unigrad", "simclr", "barlow-l2"])
    func twoRanksMatchOneProcessOnTheGlobalBatch(method: String) throws {
        let base = NSTemporaryDirectory() + "unigrad-dp-\(method)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let one = try Self.train(method: method, ranks: nil, directory: base + "/one")
        try #require(one.status == 0, "one process: \(one.stderr)")
        let two = try Self.train(method: method, ranks: 2, directory: base + "/two")
        try #require(two.status == 0, "two ranks: \(two.stderr)\n\(two.stdout)")
        // Rank 0 alone prints and writes.
        #expect(two.stdout.components(separatedBy: "unigrad train:").count == 2, "\(two.stdout)")
        #expect(two.stdout.contains("data parallel: 2 ranks, 16 images per rank"))
        let a = try Self.checkpoint(base + "/one"), b = try Self.checkpoint(base + "/two")
        #expect(Set(a.keys) == Set(b.keys))
        #expect(a.keys.contains { $0.hasPrefix("optimizer.") })
        if method == "unigrad" { #expect(a["method.F"] != nil) }
        var worst = (name: "", value: 0.0)
        for (name, t) in a {
            let u = try #require(b[name], "\(name) missing from the two-rank checkpoint")
            #expect(u.shape == t.shape, "\(name)")
            let d = Self.relativeDifference(t, u)
            if d > worst.value { worst = (name, d) }
        }
        print("data-parallel \(method): largest relative difference \(worst.value) in \(worst.name)")
        // Float rounding only: the two runs add the same numbers in different orders (BN sums per
        // rank then over ranks, each weight gradient's GEMM over 16 + 16 rows then a sum instead of
        // over 32 rows), each ~6e-8 (Float ε/2) relative per operation, accumulated over sums of
        // hundreds of terms and carried through four steps: measured 2.6e-6 to 4.1e-6 (largest in
        // the momentum buffers). 1e-4 leaves a 25× margin; the measured difference must also be
        // 50× smaller than how far the weights move from step 1 to step 4 (checked below).
        #expect(worst.value < 1e-4, "largest relative difference \(worst.value) in \(worst.name)")
        // And the runs did train: four steps move the parameters far more than that.
        let initial = try Self.train(method: method, ranks: nil, directory: base + "/init", steps: 1)
        try #require(initial.status == 0, "\(initial.stderr)")
        let early = try Self.checkpoint(base + "/init")
        let moved = a.filter { $0.key.hasPrefix("encoder.") && $0.key.hasSuffix("weight") }
            .compactMap { k, v in early[k].map { Self.relativeDifference(v, $0) } }.max() ?? 0
        #expect(moved > 50 * max(worst.value, 1e-6), "parameters moved \(moved) between step 1 and \(Self.steps)")
    }
}
