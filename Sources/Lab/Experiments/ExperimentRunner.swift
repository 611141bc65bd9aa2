import Foundation
import TensorCore
import SSL
import Eval
import Data

/// What happened to one run in this session.
public struct RunOutcome: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Its `result.json` existed: nothing was trained.
        case alreadyFinished
        /// Trained from step 0 to the end.
        case trained
        /// Continued from the checkpoint at `fromStep` to the end.
        case resumed(fromStep: Int)
        /// Stopped (interrupt) at `atStep` and checkpointed; the next session continues there.
        case interrupted(atStep: Int)
        /// Diverged (non-finite loss) at `atStep`; recorded in `result.json` with NaN metrics.
        case failed(atStep: Int)
    }
    public var row: String
    public var seedIndex: Int
    public var kind: Kind
    /// Training steps taken in this session.
    public var stepsTrained: Int
}

/// The kNN baselines an encoder must beat, measured once per experiment on the first row's data.
public struct ExperimentBaselines: Codable, Equatable, Sendable {
    public var rawPixelKnnTop1: Double
    public var randomInitKnnTop1: Double
    /// The data and encoder they were measured on (`ExperimentRunner.baselineIdentity`).
    public var measuredOn: String

    enum CodingKeys: String, CodingKey {
        case rawPixelKnnTop1 = "raw_pixel_knn_top1"
        case randomInitKnnTop1 = "random_init_knn_top1"
        case measuredOn = "measured_on"
    }
}

/// Runs an experiment: every row × seed, one after another, each in its own directory
/// `OUT/runs/<run>-seed<k>/` (`ExperimentRow.runName`: `method-target`) with a checkpoint
/// (`checkpoint.safetensors`, every `checkpointEvery` steps, at epoch ends and when stopped),
/// `progress.json` (wall time and curve points so far) and, once finished and evaluated,
/// `result.json`. Every run records training curves, so any experiment's runs can be plotted.
///
/// Resuming and sharing: a run with a `result.json` is never trained again — also when another
/// experiment in the same `OUT` trained it (Table 2's momentum column and Figure 2 are Table 1
/// runs); a run with only a checkpoint continues from it (the same trajectory as uninterrupted,
/// since batches depend only on seed, epoch and index); other runs start from scratch. Each run's
/// `config.json` guards against mixing settings. When every run is finished the tables are written
/// (`<name>.md`, `<name>.csv`, `<name>-runs.csv`) from the `result.json` files alone.
public final class ExperimentRunner {
    public let experiment: Experiment
    public let settings: ExperimentSettings
    public let outputDirectory: String
    /// Progress messages (one line each).
    public var log: (String) -> Void = { _ in }
    /// Called after every training step with the row, the seed index and the run's total steps.
    public var onStep: ((ExperimentRow, Int, StepRecord, Int) -> Void)?
    /// Called when a run's result is final (trained now or loaded).
    public var onRunFinished: ((ExperimentRunResult) -> Void)?
    /// Polled between steps; returning true checkpoints the current run and stops.
    public var shouldStop: () -> Bool = { false }
    /// What happened to each run in this session, in order.
    public private(set) var outcomes: [RunOutcome] = []

    private var cachedData: (key: String, data: RunData)?
    /// `[3/11] `: the current run's place in the experiment, for the log.
    private var position = ""

    public init(experiment: Experiment, settings: ExperimentSettings, outputDirectory: String) {
        self.experiment = experiment
        self.settings = settings
        self.outputDirectory = outputDirectory
    }

    /// `OUT/runs/<run>-seed<k>` (`ExperimentRow.runName`).
    public func runDirectory(row: ExperimentRow, seed k: Int) -> String {
        (outputDirectory as NSString).appendingPathComponent("runs/\(row.runName)-seed\(k)")
    }

    /// The files the tables are written to: `OUT/<name>.md`, `.csv` and `-runs.csv`.
    public var tableFiles: (markdown: String, csv: String, runs: String) {
        let base = (outputDirectory as NSString).appendingPathComponent(experiment.name)
        return (base + ".md", base + ".csv", base + "-runs.csv")
    }

    /// Runs (or resumes) every run and writes the tables; returns nil if stopped before the end.
    @discardableResult
    public func run() throws -> ExperimentTable? {
        try settings.validate(for: experiment)
        try Self.makeDirectory(outputDirectory)
        log("# \(experiment.title)\n\n" + ExperimentTable.settingsMarkdown(try settingsSummary(baselines: nil)))
        let baselines = try measureBaselines()
        var results: [ExperimentRunResult] = []
        let runCount = experiment.rows.count * settings.seeds
        for (r, row) in experiment.rows.enumerated() {
            for k in 0..<settings.seeds {
                position = "[\(r * settings.seeds + k + 1)/\(runCount)] "
                guard let result = try runOne(row: row, seed: k) else { return nil }
                results.append(result)
                onRunFinished?(result)
            }
        }
        let table = ExperimentTable(experiment: experiment, settings: try settingsSummary(baselines: baselines), results: results)
        try Self.writeAtomically(Foundation.Data(table.markdown().utf8), to: tableFiles.markdown)
        try Self.writeAtomically(Foundation.Data(table.csv().utf8), to: tableFiles.csv)
        try Self.writeAtomically(Foundation.Data(table.runsCSV().utf8), to: tableFiles.runs)
        return table
    }

    // MARK: - One run

    /// Trains (or loads) one run; nil when stopped.
    func runOne(row: ExperimentRow, seed k: Int) throws -> ExperimentRunResult? {
        let dir = runDirectory(row: row, seed: k)
        try Self.makeDirectory(dir)
        // Another experiment in the same folder may be training this run right now: wait for it,
        // then take its result (or continue its checkpoint) instead of training it twice.
        let lock = try RunLock(directory: dir) { self.log(self.position + "\(row.id) seed \(k): waiting for the process training \(dir)") }
        defer { lock.release() }
        let resultPath = (dir as NSString).appendingPathComponent("result.json")
        let config = try settings.config(for: row, seed: k)
        // The run's configuration is stored with it; another one in the same folder would mix runs.
        let configPath = (dir as NSString).appendingPathComponent("config.json")
        if let stored = FileManager.default.contents(atPath: configPath), String(decoding: stored, as: UTF8.self) != Self.identity(config) {
            throw ExperimentError.changedSettings(directory: dir)
        }
        if var existing = try Self.readResult(resultPath) {
            guard existing.method == row.method && existing.target == row.target.rawValue else {
                throw ExperimentError.mismatchedRun(directory: dir, found: "\(existing.method)/\(existing.target)",
                                                    expected: "\(row.method)/\(row.target.rawValue)")
            }
            existing.row = row.id  // it may have been trained as another experiment's row
            outcomes.append(RunOutcome(row: row.id, seedIndex: k, kind: .alreadyFinished, stepsTrained: 0))
            log(position + "\(row.id) seed \(k): " + (existing.failure.map { "diverged earlier (\($0))" }
                ?? "finished earlier (kNN \(String(format: "%.2f", existing.knnTop1))%)") + ", not retrained")
            return existing
        }
        let run = try TrainingRun(config: config, data: try data(for: config))
        let total = run.trainer.totalSteps
        let store = CheckpointStore(directory: dir)
        let progressPath = (dir as NSString).appendingPathComponent("progress.json")
        var progress = RunProgress(step: 0, seconds: 0, curve: [])
        if store.exists {
            try store.load(into: run.trainer, config: config)
            if let saved = try? JSONDecoder.experiment.decode(RunProgress.self, from: Foundation.Data(contentsOf: URL(fileURLWithPath: progressPath))) {
                progress = saved
                progress.curve.removeAll { $0.step > run.trainer.step }
            }
            log(position + "\(row.id) seed \(k): resuming at step \(run.trainer.step) of \(total)")
        } else {
            log(position + "\(row.id) seed \(k): \(row.method), target \(row.target.rawValue), \(run.trainer.method.parameters), "
                + "lr \(TextFormat.number(run.trainer.schedule.peak)), \(total) steps")
        }
        try Self.writeAtomically(Foundation.Data(Self.identity(config).utf8), to: configPath)
        let startStep = run.trainer.step
        let sessionStart = Date()
        let curveInterval = max(1, run.loader.batchesPerEpoch / max(1, settings.curvePointsPerEpoch))
        var lastCurveStep = progress.curve.last?.step ?? 0
        func checkpoint() throws {
            try store.save(run.trainer, config: config)
            progress.step = run.trainer.step
            let saved = RunProgress(step: run.trainer.step, seconds: progress.seconds + Date().timeIntervalSince(sessionStart),
                                    curve: progress.curve)
            try Self.writeAtomically(JSONEncoder.experiment.encode(saved), to: progressPath)
        }
        var stepError: Error?
        run.shouldStop = { [shouldStop] in stepError != nil || shouldStop() }
        run.onStep = { [weak run, onStep, settings] record in
            guard let run else { return }
            onStep?(row, k, record, total)
            let done = run.trainer.step
            if done % curveInterval == 0 || done == total {
                progress.curve.append(self.curvePoint(run, since: lastCurveStep))
                lastCurveStep = done
            }
            let epochEnd = done % run.loader.batchesPerEpoch == 0
            if done < total && (done % settings.checkpointEvery == 0 || epochEnd) {
                do { try checkpoint() } catch { stepError = error }
            }
        }
        do {
            try run.run()
        } catch let e as TrainingError {
            guard case .nonFiniteLoss = e else { throw e }
            // A diverged run is a result, not the end of the experiment: record it and go on.
            let result = ExperimentRunResult(
                row: row.id, seedIndex: k, seed: config.seed, method: row.method, target: row.target.rawValue,
                parameters: run.trainer.method.parameters.description, learningRate: run.trainer.schedule.peak,
                knnTop1: .nan, linearTop1: .nan, effectiveRank: .nan, featureStd: .nan, finalLoss: .nan,
                finalPositiveSimilarity: .nan, steps: run.trainer.step,
                seconds: progress.seconds + Date().timeIntervalSince(sessionStart), curve: progress.curve, failure: e.description)
            try Self.writeAtomically(JSONEncoder.experiment.encode(result), to: resultPath)
            outcomes.append(RunOutcome(row: row.id, seedIndex: k, kind: .failed(atStep: run.trainer.step),
                                       stepsTrained: run.trainer.step - startStep))
            log(position + "\(row.id) seed \(k): \(e.description); recorded as diverged, going on")
            return result
        }
        if let stepError { throw stepError }
        if run.trainer.step < total {
            try checkpoint()
            outcomes.append(RunOutcome(row: row.id, seedIndex: k, kind: .interrupted(atStep: run.trainer.step),
                                       stepsTrained: run.trainer.step - startStep))
            log(position + "\(row.id) seed \(k): stopped at step \(run.trainer.step) of \(total); checkpoint in \(dir)")
            return nil
        }
        try checkpoint()
        let report = try run.finalReport(linear: true, baselines: false)
        let last = run.trainer.history.suffix(run.loader.batchesPerEpoch)
        let n = Double(max(last.count, 1))
        let result = ExperimentRunResult(
            row: row.id, seedIndex: k, seed: config.seed, method: row.method, target: row.target.rawValue,
            parameters: run.trainer.method.parameters.description, learningRate: run.trainer.schedule.peak,
            knnTop1: report.knnTop1, linearTop1: report.linearTop1 ?? .nan, effectiveRank: report.effectiveRank,
            featureStd: report.featureStd, finalLoss: last.map(\.loss).reduce(0, +) / n,
            finalPositiveSimilarity: last.map(\.positiveSimilarity).reduce(0, +) / n, steps: run.trainer.step,
            seconds: progress.seconds + Date().timeIntervalSince(sessionStart), curve: progress.curve)
        try Self.writeAtomically(JSONEncoder.experiment.encode(result), to: resultPath)
        outcomes.append(RunOutcome(row: row.id, seedIndex: k, kind: startStep == 0 ? .trained : .resumed(fromStep: startStep),
                                   stepsTrained: run.trainer.step - startStep))
        log(position + "\(row.id) seed \(k): kNN \(String(format: "%.2f", result.knnTop1))%, linear \(String(format: "%.2f", result.linearTop1))%, "
            + "eff. rank \(String(format: "%.1f", result.effectiveRank)), \(String(format: "%.0f", result.seconds)) s")
        return result
    }

    /// A curve point: mean loss and positive similarity of the steps after `since`, kNN top-1 on
    /// the reduced bank (the first `curveBank` training images, the first `curveTest` test
    /// images) and the effective rank of those test features.
    func curvePoint(_ run: TrainingRun, since: Int) -> CurvePoint {
        let records = run.trainer.history.filter { $0.step >= since }
        let n = Double(max(records.count, 1))
        let bankCount = min(settings.curveBank, run.data.train.count), testCount = min(settings.curveTest, run.data.test.count)
        let bank = run.features(of: run.data.train, indices: Array(0..<bankCount))
        let test = run.features(of: run.data.test, indices: Array(0..<testCount))
        let knn = (try? KNNMonitor(k: min(run.config.knnK, bankCount), temperature: run.config.knnT)
            .evaluate(queries: test, queryLabels: Array(run.data.test.labels.prefix(testCount)), bank: bank,
                      bankLabels: Array(run.data.train.labels.prefix(bankCount)), classCount: run.data.train.classNames.count))
            .map { $0.top1 * 100 } ?? .nan
        return CurvePoint(step: run.trainer.step, epoch: Double(run.trainer.step) / Double(run.loader.batchesPerEpoch),
                          loss: records.map(\.loss).reduce(0, +) / n,
                          positiveSimilarity: records.map(\.positiveSimilarity).reduce(0, +) / n,
                          knnTop1: knn, effectiveRank: CollapseMetrics.effectiveRank(test))
    }

    // MARK: - Data, baselines, settings

    /// The run's data, loaded once for all rows that share it.
    func data(for config: TrainingConfig) throws -> RunData {
        let key = Self.dataIdentity(config)
        if let cachedData, cachedData.key == key { return cachedData.data }
        let data = try RunFactory.loadData(config)
        if let note = data.note { log("note: " + note) }
        cachedData = (key, data)
        return data
    }

    /// kNN on raw pixels and on a random-init encoder (first row, seed 0), measured once and
    /// stored in `OUT/baselines.json` with the data and encoder they were measured on (measured
    /// again when those differ).
    func measureBaselines() throws -> ExperimentBaselines {
        let path = (outputDirectory as NSString).appendingPathComponent("baselines.json")
        guard let row = experiment.rows.first else { preconditionFailure("experiment \(experiment.name) has no rows") }
        let config = try settings.config(for: row, seed: 0)
        let measuredOn = Self.baselineIdentity(config)
        if let data = FileManager.default.contents(atPath: path),
           let saved = try? JSONDecoder.experiment.decode(ExperimentBaselines.self, from: data), saved.measuredOn == measuredOn {
            return saved
        }
        let run = try TrainingRun(config: config, data: try data(for: config))
        let b = ExperimentBaselines(rawPixelKnnTop1: try run.rawPixelKnn(), randomInitKnnTop1: try run.randomInitKnn(),
                                    measuredOn: measuredOn)
        try Self.writeAtomically(JSONEncoder.experiment.encode(b), to: path)
        log("baselines: kNN on raw pixels \(String(format: "%.2f", b.rawPixelKnnTop1))%, "
            + "random-init encoder \(String(format: "%.2f", b.randomInitKnnTop1))%")
        return b
    }

    /// The settings block printed above the tables.
    func settingsSummary(baselines: ExperimentBaselines?) throws -> ExperimentTable.Settings {
        let base = try settings.baseConfig()
        let data = try self.data(for: try settings.config(for: experiment.rows[0], seed: 0))
        let stepsPerEpoch = data.train.count / base.batchSize
        var rows: [ExperimentTable.RowSettings] = []
        for row in experiment.rows {
            let c = try settings.config(for: row, seed: 0)
            rows.append(.init(row: row.id, method: row.method, target: row.target.rawValue,
                              parameters: try c.resolvedMethodParameters().description,
                              learningRate: c.baseLR * Double(c.batchSize) / 256,
                              extra: row.assignments.isEmpty ? "" : row.assignments.map { a in
                                  a.replacingOccurrences(of: "@projector_hidden", with: String(c.projectorHidden)) }.joined(separator: ", ")))
        }
        let lines = [
            "preset `\(base.preset)`: \(data.train.name), \(data.train.count) training images (subset \(base.subset == 0 ? "all" : String(base.subset))), "
                + "\(data.test.count) test images; encoder `\(base.encoder)`" + (base.poolGrid > 1 ? " with a \(base.poolGrid)×\(base.poolGrid) grid pool" : "")
                + ", projector \(base.projectorHidden)→\(base.projectorOutput)",
            "schedule: \(base.epochs) epoch\(base.epochs == 1 ? "" : "s") × \(stepsPerEpoch) steps of batch \(base.batchSize)"
                + (base.maxSteps > 0 ? ", stopping after \(base.maxSteps) steps" : "") + "; optimizer \(base.optimizer), "
                + "base lr \(formatNumber(base.baseLR))·B/256, warm-up \(formatNumber(base.warmupEpochs)) epochs, cosine; "
                + "wd \(formatNumber(base.weightDecay)); momentum encoder m₀ = \(formatNumber(base.baseMomentum))",
            "seeds: \(settings.seeds) (training seed \(base.seed)\(settings.seeds > 1 ? "…\(base.seed + UInt64(settings.seeds - 1))" : "")); "
                + (settings.seeds > 1 ? "values are mean ± sample std over seeds" : "one run per row"),
            "evaluation: kNN top-1 (k = \(base.knnK), t = \(formatNumber(base.knnT))) with \(base.evalBank > 0 ? min(base.evalBank, data.train.count) : data.train.count) training images as the bank "
                + "on the \(data.test.count) test images; linear probe (\(base.linearProbeEpochs) epochs) on frozen encoder features; "
                + "effective rank of the test features",
        ] + (baselines.map { b in ["baselines: kNN on raw pixels \(String(format: "%.2f", b.rawPixelKnnTop1))%, random-init encoder "
                + "\(String(format: "%.2f", b.randomInitKnnTop1))%"] } ?? []) + (settings.assignments.isEmpty ? [] : ["extra settings: " + settings.assignments.joined(separator: " ")])
          + ["curves: \(settings.curvePointsPerEpoch) points per epoch; kNN on a reduced bank "
                + "(first \(settings.curveBank) training images, first \(settings.curveTest) test images)"]
        return .init(lines: lines, rows: rows)
    }

    /// What the baselines depend on: data, subset, image size, encoder and its head, seed.
    static func baselineIdentity(_ c: TrainingConfig) -> String {
        dataIdentity(c) + "|\(c.encoder)|\(c.poolGrid)|\(c.seed)|k=\(c.knnK)|t=\(c.knnT)|bank=\(c.evalBank)"
    }

    /// What a run's data depend on: dataset, folder, subset, image size — and, for synthetic
    /// shapes (also the fallback for a missing Fashion-MNIST), their counts and the seed.
    static func dataIdentity(_ config: TrainingConfig) -> String {
        var key = "\(config.dataset)|\(config.dataDir)|\(config.subset)|\(config.imageSize)"
        let fashionDirectory = config.dataDir.isEmpty ? FashionMNIST.defaultDirectory : config.dataDir
        if config.dataset == "synthetic" || (config.dataset == "fashion-mnist" && !FashionMNIST.isInstalled(.train, directory: fashionDirectory)) {
            key += "|\(config.syntheticTrain)|\(config.syntheticTest)|\(config.seed)"
        }
        return key
    }

    /// The configuration that identifies a run (the BLAS thread count does not change it).
    static func identity(_ config: TrainingConfig) -> String {
        var c = config
        c.threads = 0
        c.workers = 0   // batches depend only on (seed, epoch, index), not on the worker count
        return c.json()
    }

    static func readResult(_ path: String) throws -> ExperimentRunResult? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder.experiment.decode(ExperimentRunResult.self, from: data)
        } catch {
            throw ExperimentError.corruptResult(path: path)
        }
    }

    /// Replaces `path` atomically (temporary file, then rename), or throws a one-line error.
    static func writeAtomically(_ data: Foundation.Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ExperimentError.cannotWrite(path: path)
        }
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ExperimentError.cannotWrite(path: path)
        }
    }
}

/// An exclusive advisory lock (`flock`) on `DIR/lock`, held while a process trains or loads the
/// run in `DIR`; the kernel releases it when the process ends, however it ends.
final class RunLock {
    private let fd: Int32

    /// Takes the lock, calling `onWait` once and blocking if another process holds it.
    init(directory: String, onWait: () -> Void) throws {
        let path = (directory as NSString).appendingPathComponent("lock")
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExperimentError.cannotWrite(path: path) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            onWait()
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { close(fd); throw ExperimentError.cannotWrite(path: path) }
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// A user error of an experiment (printed as one line).
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    /// No experiment has this name.
    case unknownExperiment(String)
    /// A run folder holds another method or target than its row.
    case mismatchedRun(directory: String, found: String, expected: String)
    /// A run folder was trained with other settings (its `config.json` differs).
    case changedSettings(directory: String)
    /// A `result.json` that cannot be decoded.
    case corruptResult(path: String)
    /// A file or folder that cannot be written.
    case cannotWrite(path: String)

    public var description: String {
        switch self {
        case let .unknownExperiment(name):
            return "unknown experiment '\(name)'; valid: \(Experiment.names.joined(separator: ", "))"
        case let .mismatchedRun(directory, found, expected):
            return "\(directory) holds a run of \(found), not \(expected); use another --out"
        case let .changedSettings(directory):
            return "\(directory) was trained with other settings (see its config.json); use another --out or delete that folder"
        case let .corruptResult(path):
            return "\(path) is not a valid run result; delete it to retrain that run"
        case let .cannotWrite(path):
            return "cannot write \(path)"
        }
    }
}

extension JSONEncoder {
    /// Sorted keys, pretty, NaN written as the string "nan".
    static var experiment: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.experiment` writes ("nan" as NaN).
    static var experiment: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
