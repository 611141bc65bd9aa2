import ArgumentParser
import Layers
import TensorCore

/// `unigrad bench`: throughput of this machine and of the library's kernels, in one run.
///
/// Sections (run all by default, or pick with `--only`):
/// - `sgemm`: large square `C = A·B` in Float through OpenBLAS on all its threads, best of
///   `--repeats` runs; `2n³` FLOPs.
/// - `conv`: forward + backward of the `small` preset's four conv layers (`convnet-small`,
///   3×3, padding 1) on a `--batch`×1×28×28 Fashion-MNIST-sized input, counting `2·MACs` for the
///   forward and twice that for the backward (input gradient + weight gradient).
/// With both, `conv_fraction_of_sgemm` = conv GFLOPS ÷ sgemm GFLOPS. New sections (e.g. a
/// training step) are a new `BenchSection` case and a `measure` branch returning figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm GFLOPS and the conv layers' forward+backward GFLOPS (release builds only).")

    @Option(name: .long, help: "Run only these sections (repeat the option for several): \(BenchSection.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: [BenchSection] = []

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .long, help: "Timed runs per measurement; the best is kept.")
    var repeats = 3

    @Option(name: .long, help: "Matrix size n of the n×n×n sgemm.")
    var size = 2048

    @Option(name: .long, help: "Batch size of the conv section.")
    var batch = 256

    func validate() throws {
        guard repeats > 0, size > 0, batch > 1 else {
            throw ValidationError("--repeats and --size must be positive and --batch at least 2 (got \(repeats), \(size), \(batch))")
        }
    }

    func run() throws {
        let sections = only.isEmpty ? BenchSection.allCases : BenchSection.allCases.filter(only.contains)
        var report = BenchReport()
        report.add("blas_threads", "OpenBLAS threads", Double(BLASThreads.count), unit: "", digits: 0)
        for section in sections {
            section.measure(self, into: &report)
        }
        if let s = report.value("sgemm_gflops"), let c = report.value("conv_gflops") {
            report.add("conv_fraction_of_sgemm", "conv ÷ sgemm", c / s, unit: "", digits: 3)
        }
        print(json ? report.json : report.table)
    }
}

/// A part of the benchmark that can be selected with `--only`.
enum BenchSection: String, CaseIterable, ExpressibleByArgument, Sendable {
    case sgemm
    case conv

    /// Runs the section and appends its figures.
    func measure(_ options: BenchCommand, into report: inout BenchReport) {
        switch self {
        case .sgemm: BenchSection.measureSgemm(n: options.size, repeats: options.repeats, into: &report)
        case .conv: BenchSection.measureConv(batch: options.batch, repeats: options.repeats, into: &report)
        }
    }

    static func measureSgemm(n: Int, repeats: Int, into report: inout BenchReport) {
        var rng = RandomGenerator(seed: 1)
        let a = Tensor<Float>.randomUniform([n, n], low: -1, high: 1, using: &rng).scalars
        let b = Tensor<Float>.randomUniform([n, n], low: -1, high: 1, using: &rng).scalars
        var c = [Float](repeating: 0, count: n * n)
        let best = bestTime(repeats: repeats) {
            Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                       beta: 0, c: &c, ldc: n)
        }
        report.add("sgemm_gflops", "sgemm \(n)³", 2 * pow3(n) / best / 1e9, unit: "GFLOPS")
    }

    /// The conv layers of `convnet-small` on 28×28 inputs: (C, K, stride, input side).
    static let convLayers: [(c: Int, k: Int, stride: Int, side: Int)] = [(1, 32, 1, 28), (32, 64, 2, 28), (64, 128, 2, 14), (128, 256, 2, 7)]

    static func measureConv(batch: Int, repeats: Int, into report: inout BenchReport) {
        var rng = RandomGenerator(seed: 2)
        var totalFlops = 0.0, totalTime = 0.0
        var perLayer: [(key: String, label: String, value: Double)] = []
        for (i, spec) in convLayers.enumerated() {
            let conv = Conv2d<Float>(spec.c, spec.k, kernelSize: 3, stride: spec.stride, padding: 1, bias: false, using: &rng)
            let x = Tensor<Float>.randomNormal([batch, spec.c, spec.side, spec.side], using: &rng)
            let y = conv.forward(x)
            let g = Tensor<Float>.randomNormal(y.shape, using: &rng)
            _ = conv.backward(g)  // warm-up: scratch buffers, page faults
            var forwardTime = Double.infinity, backwardTime = Double.infinity
            for _ in 0..<repeats {
                forwardTime = min(forwardTime, seconds { _ = conv.forward(x) })
                backwardTime = min(backwardTime, seconds { _ = conv.backward(g) })
            }
            let forwardFlops = 2 * Double(conv.multiplyAccumulates(inputShape: x.shape))
            let label = "conv\(i + 1) \(spec.c)→\(spec.k) s\(spec.stride) \(spec.side)×\(spec.side)"
            perLayer.append(("conv\(i + 1)_gflops", label + " fwd+bwd", 3 * forwardFlops / (forwardTime + backwardTime) / 1e9))
            perLayer.append(("conv\(i + 1)_forward_gflops", label + " fwd", forwardFlops / forwardTime / 1e9))
            perLayer.append(("conv\(i + 1)_backward_gflops", label + " bwd", 2 * forwardFlops / backwardTime / 1e9))
            totalFlops += 3 * forwardFlops
            totalTime += forwardTime + backwardTime
        }
        report.add("conv_gflops", "conv layers fwd+bwd (batch \(batch))", totalFlops / totalTime / 1e9, unit: "GFLOPS")
        report.add("conv_ms", "conv layers fwd+bwd time", totalTime * 1e3, unit: "ms", digits: 1)
        for f in perLayer { report.add(f.key, "  " + f.label, f.value, unit: "GFLOPS") }
    }

    static func pow3(_ n: Int) -> Double { Double(n) * Double(n) * Double(n) }

    /// The best wall-clock time of `repeats` runs after one warm-up run.
    static func bestTime(repeats: Int, _ body: () -> Void) -> Double {
        body()
        return (0..<repeats).map { _ in seconds(body) }.min() ?? .infinity
    }

    static func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// Figures in the order they were measured, printed as a table or as one JSON object.
struct BenchReport {
    private(set) var entries: [(key: String, label: String, value: Double, unit: String, digits: Int)] = []

    mutating func add(_ key: String, _ label: String, _ value: Double, unit: String, digits: Int = 1) {
        entries.append((key, label, value, unit, digits))
    }

    func value(_ key: String) -> Double? { entries.first { $0.key == key }?.value }

    var table: String {
        let width = entries.map(\.label.count).max() ?? 0
        return entries.map { e in
            e.label + String(repeating: " ", count: width - e.label.count + 2)
                + formatScalar(e.value, precision: e.digits) + (e.unit.isEmpty ? "" : " " + e.unit)
        }.joined(separator: "\n")
    }

    var json: String {
        "{" + entries.map { e in
            "\"\(e.key)\": " + (e.value.isFinite ? formatScalar(e.value, precision: Swift.max(e.digits, 3)) : "null")
        }.joined(separator: ", ") + "}"
    }
}
