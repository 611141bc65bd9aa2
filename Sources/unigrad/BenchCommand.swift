import ArgumentParser
import Foundation
import Data
import Layers
import SSL
import TensorCore

/// `unigrad bench`: throughput of this machine and of the library's kernels, in one run.
///
/// Sections (all by default, or pick with `--only`, repeatable):
/// - `sgemm`: large square `C = A·B` in Float through OpenBLAS on all its threads; `2n³` FLOPs.
/// - `conv`: forward and backward of the `small` preset's four conv layers (`convnet-small`,
///   3×3, padding 1, no bias) on a `--batch`×1×28×28 Fashion-MNIST-sized input, counting `2·MACs`
///   for the forward and twice that for the backward (input gradient + weight gradient) — except
///   the first layer, whose input is the image: as in training, it computes only the weight
///   gradient, counted once.
/// - `train`: `--steps` full training steps of the `small` preset (convnet-small with its 4×4
///   grid head, projector 4096→512→512→128, UniGrad, momentum target, SGD) on a batch of `--batch` images (default 128)
///   in two views, counting `2·MACs` of the online forward on `2N` images, twice that for its
///   backward, and the momentum branch's forward; reported as images/s and as a fraction of the
///   same run's sgemm GFLOPS (`train_gflops_fraction`). Selecting it also runs `sgemm`.
/// - `data`: the preset's two-view augmentation pipeline (`--preset`, default `small`: 28×28
///   shapes; `full`: 32×32 colour; `paper`: 256-px JPEGs decoded, RandomResizedCrop 224 and the
///   MoCo-v2 transforms) on one thread, and an epoch of 4 batches through the loader's
///   `--workers` threads.
///
/// `--preset full|paper` makes the `train` section time that preset's network (ResNet-18 at
/// 32 px, ResNet-50 at 224 px, 2048×3 projector; default batch 32 and 8).
///
/// Every timed kernel of every selected section runs once per round, round-robin, for
/// `--repeats` rounds after a warm-up, and the best time of each is kept: on a shared machine
/// the sections then see the same load, so their ratio `conv_fraction_of_sgemm` is meaningful.
/// A new section (e.g. a training step) is a new `BenchSection` case with its kernels and figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm GFLOPS and the conv layers' forward+backward GFLOPS (build with -c release).")

    @Option(name: .long, help: "Run only this section; repeat for several (\(BenchSection.allCases.map(\.rawValue).joined(separator: ", "))).")
    var only: [BenchSection] = []

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    @Option(name: .long, help: "Timed rounds; the best time of each kernel is kept.")
    var repeats = 5

    @Option(name: .long, help: "Matrix size n of the n×n×n sgemm.")
    var size = 2048

    @Option(name: .long, help: "Batch size of the conv section (default 256) and of the train and data sections (default 128).")
    var batch: Int?

    @Option(name: .long, help: "Preset of the train and data sections: tiny | small | full | paper.")
    var preset = "small"

    @Option(name: .long, help: "Data-preparation threads of the data section (0: all cores).")
    var workers = 0

    @Option(name: .long, help: "Training steps per timed round of the train section.")
    var steps = 4

    @Option(name: .long, help: "Conv2d.maxColumnElements: the largest im2col matrix built at once (default: the layer's).")
    var maxColumnElements: Int?

    @Flag(name: .long, inversion: .prefixedNo,
          help: "Run the layers' own loops on all cores: conv lanes concurrently with single-threaded gemms, batch norm by channel (KernelThreading.isParallel; the default of train and the shell on more than one core).")
    var parallelKernels = true

    /// The batch of the train and data sections: `--batch`, or 128 (small), 32 (full), 8 (paper).
    var trainBatch: Int { batch ?? ["full": 32, "paper": 8][preset] ?? 128 }

    func validate() throws {
        guard Presets.names.contains(preset) else {
            throw ValidationError("--preset must be one of \(Presets.names.joined(separator: ", ")), got '\(preset)'")
        }
        guard repeats > 0, size > 0, (batch ?? 2) > 1, steps > 0, workers >= 0 else {
            throw ValidationError("--repeats, --size and --steps must be positive and --batch at least 2")
        }
    }

    func run() throws {
        AllocatorTuning.keepFreedMemory()
        KernelThreading.isParallel = parallelKernels && BLASThreads.count > 1
        var selected = only.isEmpty ? BenchSection.allCases : only
        if selected.contains(.train) { selected.append(.sgemm) }   // the train fraction needs the same run's sgemm
        let sections = BenchSection.allCases.filter(selected.contains)
        var rng = RandomGenerator(seed: 1)
        let kernels = sections.flatMap { $0.kernels(self, using: &rng) }
        var best: [String: Double] = [:]
        // CPU seconds of the whole process (all threads) per kernel: on a machine shared with
        // other jobs, FLOPs per CPU-second say how well the cores we did get were used.
        var bestCPU: [String: Double] = [:]
        for k in kernels { k.run() }  // warm-up: scratch buffers, page faults, BLAS threads
        for _ in 0..<repeats {
            for k in kernels {
                let cpu0 = BenchKernel.processCPUSeconds()
                best[k.key] = min(best[k.key] ?? .infinity, BenchKernel.seconds(k.run))
                bestCPU[k.key] = min(bestCPU[k.key] ?? .infinity, BenchKernel.processCPUSeconds() - cpu0)
            }
        }
        var report = BenchReport()
        report.add("blas_threads", "OpenBLAS threads", Double(BLASThreads.count), unit: "", digits: 0)
        if let e = BLASThreads.idleSpinExponent {
            report.add("blas_idle_spin_exponent", "OpenBLAS idle spin (log2 cycles, 0: default)", Double(e), unit: "", digits: 0)
        }
        for section in sections { section.summarize(kernels: kernels, best: best, options: self, into: &report) }
        if let s = report.value("sgemm_gflops"), let c = report.value("conv_gflops") {
            report.add("conv_fraction_of_sgemm", "conv ÷ sgemm", c / s, unit: "", digits: 3)
        }
        if let s = report.value("sgemm_gflops"), let t = report.value("train_gflops") {
            report.add("train_gflops_fraction", "train step ÷ sgemm", t / s, unit: "", digits: 3)
            let flops = Dictionary(kernels.map { ($0.key, $0.flops) }, uniquingKeysWith: { a, _ in a })
            if let sf = flops["sgemm"], let tf = flops["train_step"], let sc = bestCPU["sgemm"], let tc = bestCPU["train_step"] {
                report.add("sgemm_gflops_per_cpu_s", "sgemm per CPU-second (all threads)", sf / sc / 1e9, unit: "GFLOPS")
                report.add("train_gflops_per_cpu_s", "train step per CPU-second", tf / tc / 1e9, unit: "GFLOPS")
                report.add("train_cpu_fraction", "train step ÷ sgemm, per CPU-second", (tf / tc) / (sf / sc), unit: "", digits: 3)
                report.add("train_cpu_utilisation", "train step CPU-seconds ÷ wall seconds", tc / (best["train_step"] ?? .infinity), unit: "", digits: 2)
            }
        }
        print(json ? report.json : report.table)
    }
}

/// One timed piece of work and the floating-point operations it performs.
struct BenchKernel {
    var key: String
    var flops: Double
    var run: () -> Void

    /// Wall-clock seconds of one call.
    /// CPU time of the process so far (user + system, all threads).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// A part of the benchmark that can be selected with `--only`.
enum BenchSection: String, CaseIterable, ExpressibleByArgument, Sendable {
    case sgemm
    case conv
    case train
    case data

    /// The conv layers of `convnet-small` on 28×28 inputs: (C, K, stride, input side).
    static let convLayers: [(c: Int, k: Int, stride: Int, side: Int)] = [(1, 32, 1, 28), (32, 64, 2, 28), (64, 128, 2, 14), (128, 256, 2, 7)]

    /// The section's timed kernels, with their inputs prepared.
    func kernels(_ options: BenchCommand, using rng: inout RandomGenerator) -> [BenchKernel] {
        switch self {
        case .sgemm:
            let n = options.size
            let a = Self.uniform(n * n, using: &rng), b = Self.uniform(n * n, using: &rng)
            var c = [Float](repeating: 0, count: n * n)
            let flops = 2 * Double(n) * Double(n) * Double(n)
            return [BenchKernel(key: "sgemm", flops: flops) {
                Float.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                           beta: 0, c: &c, ldc: n)
            }]
        case .conv:
            return Self.convLayers.enumerated().flatMap { i, spec -> [BenchKernel] in
                let conv = Conv2d<Float>(spec.c, spec.k, kernelSize: 3, stride: spec.stride, padding: 1, bias: false, using: &rng)
                if let m = options.maxColumnElements { conv.maxColumnElements = m }
                // As in training: the first layer's input is the image, which needs no gradient,
                // so its backward is the weight gradient alone (one GEMM, counted as such).
                conv.computesInputGradient = i > 0
                let xShape = [options.batch ?? 256, spec.c, spec.side, spec.side]
                let x = Tensor(shape: xShape, scalars: Self.uniform(xShape.reduce(1, *), using: &rng))
                let yShape = conv.forward(x).shape
                let g = Tensor(shape: yShape, scalars: Self.uniform(yShape.reduce(1, *), using: &rng))
                let forwardFlops = 2 * Double(conv.multiplyAccumulates(inputShape: xShape))
                // Each backward follows the forward of the same round, whose caches it uses.
                return [BenchKernel(key: "conv\(i + 1)_forward", flops: forwardFlops) { _ = conv.forward(x) },
                        BenchKernel(key: "conv\(i + 1)_backward", flops: (i > 0 ? 2 : 1) * forwardFlops) { _ = conv.backward(g) }]
            }
        case .train:
            return [TrainStepBench.kernel(preset: options.preset, batch: options.trainBatch, steps: options.steps, using: &rng)]
        case .data:
            return TrainStepBench.dataKernels(preset: options.preset, batch: options.trainBatch,
                                              workers: ParallelRows.resolvedWorkers(options.workers))
        }
    }

    /// Turns the best times into figures.
    func summarize(kernels: [BenchKernel], best: [String: Double], options: BenchCommand, into report: inout BenchReport) {
        let flops = Dictionary(kernels.map { ($0.key, $0.flops) }, uniquingKeysWith: { a, _ in a })
        func gflops(_ keys: [String]) -> Double {
            keys.reduce(0) { $0 + (flops[$1] ?? 0) } / keys.reduce(0) { $0 + (best[$1] ?? .infinity) } / 1e9
        }
        switch self {
        case .sgemm:
            report.add("sgemm_gflops", "sgemm \(options.size)³ (Float)", gflops(["sgemm"]), unit: "GFLOPS")
        case .conv:
            let n = Self.convLayers.count
            let all = (1...n).flatMap { ["conv\($0)_forward", "conv\($0)_backward"] }
            report.add("conv_gflops", "conv layers fwd+bwd (batch \(options.batch ?? 256))", gflops(all), unit: "GFLOPS")
            report.add("conv_ms", "conv layers fwd+bwd time", all.reduce(0) { $0 + (best[$1] ?? .infinity) } * 1e3,
                       unit: "ms", digits: 1)
            for (i, spec) in Self.convLayers.enumerated() {
                let label = "  conv\(i + 1) \(spec.c)→\(spec.k) s\(spec.stride) \(spec.side)×\(spec.side)"
                let (f, b) = ("conv\(i + 1)_forward", "conv\(i + 1)_backward")
                report.add("conv\(i + 1)_gflops", label + " fwd+bwd", gflops([f, b]), unit: "GFLOPS")
                report.add("conv\(i + 1)_forward_gflops", label + " fwd", gflops([f]), unit: "GFLOPS")
                report.add("conv\(i + 1)_backward_gflops", label + " bwd", gflops([b]), unit: "GFLOPS")
            }
        case .train:
            let b = options.trainBatch, seconds = (best["train_step"] ?? .infinity) / Double(options.steps)
            report.add("train_images_per_s", "\(options.preset)-preset train step (batch \(b), 2 views)", Double(b) / seconds, unit: "images/s")
            report.add("train_step_ms", "  time per step", seconds * 1e3, unit: "ms")
            report.add("train_gflops", "  achieved", gflops(["train_step"]), unit: "GFLOPS")
        case .data:
            let b = options.trainBatch, w = ParallelRows.resolvedWorkers(options.workers)
            report.add("data_images_per_s", "\(options.preset) two-view pipeline (1 thread)", Double(b) / (best["data_batch"] ?? .infinity), unit: "images/s")
            report.add("data_images_per_s_workers", "  through the loader (\(w) workers)", Double(4 * b) / (best["data_epoch"] ?? .infinity), unit: "images/s")
            report.add("data_workers", "  data workers", Double(w), unit: "", digits: 0)
        }
    }

    /// `count` uniform values in `[−1, 1)` (a plain loop: fast enough for large benchmark inputs).
    static func uniform(_ count: Int, using rng: inout RandomGenerator) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count { out[i] = Float(rng.nextUniform() * 2 - 1) }
        return out
    }
}

/// Figures in the order they were added, printed as a table or as one JSON object.
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
            "\"\(e.key)\": " + (e.value.isFinite ? formatScalar(e.value, precision: e.digits == 0 ? 0 : Swift.max(e.digits, 3)) : "null")
        }.joined(separator: ", ") + "}"
    }
}
