import Foundation
import Testing
import GradCheck
import Methods
import TensorCore

/// A random batch: online `z1`, `z2`, and targets near them (so the positives are informative).
struct RandomBatch {
    var z1: Tensor<Double>, z2: Tensor<Double>
    var z1t: Tensor<Double>, z2t: Tensor<Double>

    init(n: Int, d: Int, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        let base = Tensor<Double>.randomNormal([n, d], using: &rng)
        z1 = base + Tensor<Double>.randomNormal([n, d], std: 0.7, using: &rng)
        z2 = base + Tensor<Double>.randomNormal([n, d], std: 0.7, using: &rng)
        z1t = z1 + Tensor<Double>.randomNormal([n, d], std: 0.2, using: &rng)
        z2t = z2 + Tensor<Double>.randomNormal([n, d], std: 0.2, using: &rng)
    }

    var targets: MethodTargets<Double> { MethodTargets(z1t: z1t, z2t: z2t) }
}

/// A random symmetric PSD matrix with trace 1 (a plausible previous `F`).
func randomCorrelation(d: Int, seed: UInt64) -> Tensor<Double> {
    var rng = RandomGenerator(seed: seed)
    let v = Tensor<Double>.randomNormal([3 * d, d], using: &rng).l2NormalizedRows()
    return v.matmul(v, transposeSelf: true) / Double(3 * d)
}

/// A random state for the method: a queue for MoCo, a previous `F`, a predictor `W`.
func randomState(d: Int, queue k: Int = 32, seed: UInt64) -> MethodState<Double> {
    var rng = RandomGenerator(seed: seed)
    let q = Tensor<Double>.randomNormal([k, d], using: &rng).l2NormalizedRows()
    let W = Tensor<Double>.identity(d) + Tensor<Double>.randomNormal([d, d], std: 0.3, using: &rng)
    return MethodState(queue: q, queueCapacity: k, correlation: randomCorrelation(d: d, seed: seed &+ 1), predictor: W)
}

/// Five-point central differences `(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h))/(12h)` (error O(h⁴)),
/// needed at N = 256 where one coordinate moves the batch-mean loss by only `O(h/N)`.
func fivePointGradient(of f: (Tensor<Double>) -> Double, at x: Tensor<Double>, coordinates: [Int], step h: Double) -> [Double] {
    var xp = x
    return coordinates.map { i in
        let xi = x.scalars[i]
        func at(_ d: Double) -> Double { xp.scalars[i] = xi + d; return f(xp) }
        let g = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
        xp.scalars[i] = xi
        return g
    }
}

/// Compares `analytic` with five-point differences of `f`: relative error `|a − n| / max(|a|, |n|, rms(a))`,
/// i.e. coordinates whose gradient is far below the typical one are judged against the typical size
/// (their finite difference is dominated by the rounding of the whole batch-mean loss).|analytic|` (coordinates whose gradient is ~0 are judged against that scale).
func checkGradient(_ analytic: Tensor<Double>, of f: (Tensor<Double>) -> Double, at x: Tensor<Double>,
                   sample: Int?, step h: Double = 1e-4, seed: UInt64 = 0) -> GradCheckReport {
    let coords = FiniteDifferences.coordinates(count: x.count, sample: sample, seed: seed)
    let numeric = fivePointGradient(of: f, at: x, coordinates: coords, step: h)
    return FiniteDifferences.compare(analytic: coords.map { analytic.scalars[$0] }, numeric: numeric, indices: coords,
                                     floor: rms(analytic))
}

/// The root-mean-square of the entries.
func rms(_ t: Tensor<Double>) -> Double { (t.squaredNorm() / Double(max(t.count, 1))).squareRoot() }

/// Every catalogue method in Double with default parameters.
func allMethods() -> [any SSLMethod<Double>] {
    MethodCatalog.names.compactMap { try? MethodCatalog.make($0, Double.self) }
}

/// The path of the built `unigrad` executable next to the test bundle (same configuration),
/// falling back to `.build/{release,debug}/unigrad` under the package root.
func unigradExecutable() -> URL? {
    let fm = FileManager.default
    var candidates: [URL] = []
    let testBinary = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
    var dir = testBinary.deletingLastPathComponent()
    for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent("unigrad"))
        dir = dir.deletingLastPathComponent()
    }
    var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    root = root.deletingLastPathComponent().deletingLastPathComponent()
    candidates += ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/unigrad") }
    return candidates.first { fm.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
}

/// What a run of the built `unigrad` printed, and its exit status.
struct CommandOutput { var status: Int32; var stdout: String; var stderr: String }

/// Runs the built `unigrad` with `arguments` (in `directory`, if given) and collects its output.
func runUnigrad(_ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:]) throws -> CommandOutput {
    let exe = try #require(unigradExecutable(), "build the unigrad executable first")
    let p = Process()
    p.executableURL = exe
    p.arguments = arguments
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        p.environment = env
    }
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandOutput(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "batch.json") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("methods-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try? text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// A batch as JSON text.
func batchJSON(_ fields: [(String, Tensor<Double>)]) -> String {
    "{" + fields.map { key, t in
        "\"\(key)\":[" + (0..<t.rows).map { r in "[" + t.row(r).map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
    }.joined(separator: ",") + "}"
}
