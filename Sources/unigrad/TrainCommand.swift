import ArgumentParser
import Foundation
import Layers
import TensorCore
import SSL
import Data
import Lab
import Distributed

/// `unigrad train`: a non-interactive training run with progress, evaluation and checkpoints.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a method on a preset's data and report kNN, linear-probe and collapse metrics.",
        discussion: """
        Examples:
          unigrad train --preset tiny --method unigrad
          unigrad train --preset small --method simclr --epochs 2 --results runs/simclr.jsonl
          unigrad train --preset small --set lambda=10 --set lr=0.3 --checkpoint-dir runs/a --resume
          unigrad train --config configs/unigrad.py --set data_dir=/data/imagenet

        --config FILE reads an official UniGrad config file (YAML) on top of
        the preset (paper when --preset is not given); --method, --target,
        --epochs, --subset and --set override the file. Unknown keys in the
        file are an error.
        """)

    @Option(help: "tiny | small | full | paper (default: tiny, or paper with --config)")
    var preset: String?
    @Option(help: "An official UniGrad config file (YAML; configs/*.py of the official code).")
    var config: String?
    @Option(help: "The method (unigrad, simclr, moco, byol-grad, barlow-l2, …).")
    var method: String?
    @Option(help: "Target branch: stopgrad | momentum | momentum-positive.")
    var target: String?
    @Option(help: "Training epochs (overrides the preset).")
    var epochs: Int?
    @Option(help: "Train on the first N training images.")
    var subset: Int?
    @Option(name: .customLong("set"), help: "key=value for any setting or method hyper-parameter (repeatable).")
    var assignments: [String] = []
    @Option(help: "Write a checkpoint here at the end of every epoch (checkpoint.safetensors).")
    var checkpointDir: String?
    @Flag(help: "Continue from the checkpoint in --checkpoint-dir if there is one.")
    var resume = false
    @Option(help: "Write one JSON line per epoch and a final line to this file.")
    var results: String?
    @Flag(help: "Skip the linear probe and the two baselines in the final report.")
    var quick = false

    func run() throws {
        AllocatorTuning.keepFreedMemory()
        // Under `mpirun -np P` (P > 1): MPI_COMM_WORLD; otherwise one process and no MPI at all.
        let world = Communicators.world()
        do {
            try train(world)
        } catch let e as ExitCode {
            // A rank that fails ends the whole job rather than leaving the others in a collective.
            if world.isDistributed && e != .success { world.abort(code: e.rawValue) }
            throw e
        } catch {
            let prefix = world.isDistributed ? "error (rank \(world.rank) of \(world.size)): " : "error: "
            FileHandle.standardError.write(Data("\(prefix)\(error)\n".utf8))
            if world.isDistributed { world.abort(code: 1) }
            throw ExitCode(1)
        }
    }

    func makeConfig() throws -> TrainingConfig {
        var settings: [(key: String, value: String)] = []
        if let method { settings.append(("method", method)) }
        if let target { settings.append(("target", target)) }
        if let epochs { settings.append(("epochs", String(epochs))) }
        if let subset { settings.append(("subset", String(subset))) }
        let (config, notes) = try TrainingConfig.commandLine(preset: preset, configFile: self.config, settings: settings,
                                                             assignments: assignments)
        for note in notes { FileHandle.standardError.write(Data("note: \(self.config ?? ""): \(note)\n".utf8)) }
        return config
    }

    func train(_ world: any Communicator) throws {
        let config = try makeConfig()
        if config.threads > 0 {
            BLASThreads.set(config.threads)
        } else if world.isDistributed {
            // The ranks on one host share its cores.
            BLASThreads.set(ProcessInfo.processInfo.activeProcessorCount / max(1, Communicators.localSize() ?? 1))
        }
        KernelThreading.followBLASThreads()
        // Rank 0 alone prints, writes results and checkpoints.
        let log = ProgressPrinter(interactive: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil,
                                  muted: !world.isRoot)
        log.line("unigrad train: preset \(config.preset), method \(config.method), target \(config.target.rawValue), "
                 + "encoder \(config.encoder), batch \(config.batchSize), epochs \(config.epochs), seed \(config.seed)")
        let run = try TrainingRun(config: config, communicator: world)
        if world.isDistributed {
            log.line("data parallel: \(world.size) ranks, \(config.batchSize / max(1, world.size)) images per rank per step, "
                     + "\(BLASThreads.count) BLAS thread(s) per rank, SyncBN")
        }
        if let note = run.data.note { log.line("note: " + note) }
        log.line("data: \(run.data.train.name) \(run.data.train.count) train / \(run.data.test.count) test; "
                 + "\(run.loader.batchesPerEpoch) steps per epoch, \(run.trainer.totalSteps) steps; "
                 + "method \(run.trainer.method.parameters)")
        let store = checkpointDir.map { CheckpointStore(directory: $0) }
        let writer = world.isRoot ? store : nil   // every rank reads the checkpoint, rank 0 writes it
        if resume, let store, store.exists {
            try store.load(into: run.trainer, config: config)
            log.line("resumed from \(store.path) at step \(run.trainer.step)")
        }
        var resultsFile: FileHandle?
        if let results, world.isRoot {
            let existing = resume && FileManager.default.fileExists(atPath: results)
            if !existing { FileManager.default.createFile(atPath: results, contents: nil) }
            guard let h = FileHandle(forWritingAtPath: results) else { throw ConfigError("cannot write results file '\(results)'") }
            h.seekToEndOfFile()
            resultsFile = h
        }
        let start = Date()
        let total = run.trainer.totalSteps, resumedAt = run.trainer.step
        // Wall-clock throughput of the steps after the first (which includes warm-up costs).
        var firstStepEnd: Date?, lastStepEnd = Date(), timedSteps = 0
        run.onStep = { r in
            log.step(r, total: total, started: start, resumedAt: resumedAt)
            if firstStepEnd == nil { firstStepEnd = Date() } else { timedSteps += 1; lastStepEnd = Date() }
        }
        run.onEpoch = { e in
            log.epoch(e)
            if let data = try? JSONEncoder.sorted.encode(e) { resultsFile?.write(data + Data("\n".utf8)) }
            if let writer { try? writer.save(run.trainer, config: config) }
        }
        // Under mpirun, Ctrl-C goes to mpirun, which ends every rank (a per-rank stop flag could
        // stop the ranks at different steps).
        if !world.isDistributed { installInterrupt(run) }
        do {
            try run.run()
        } catch let e as TrainingError {
            log.finish()
            var message = "error: \(e)"
            if let store, store.exists { message += "; the last checkpoint, \(store.path), is unchanged" }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(2)
        }
        log.finish()
        if run.trainer.step < total { log.line("stopped at step \(run.trainer.step) of \(total)") }
        if let first = firstStepEnd, timedSteps > 0 {
            let seconds = lastStepEnd.timeIntervalSince(first)
            log.line(String(format: "throughput: %.1f images/s (%d steps of %d images after the first, %.2f s, %d rank(s))",
                            Double(timedSteps * config.batchSize) / max(seconds, 1e-9), timedSteps, config.batchSize, seconds, world.size))
        }
        if let writer { try writer.save(run.trainer, config: config) }
        let report = try run.finalReport(linear: !quick, baselines: !quick, seconds: Date().timeIntervalSince(start))
        log.line(Self.summary(report))
        let waited = run.trainer.history.map(\.dataSeconds).reduce(0, +)
        let trained = run.trainer.history.map(\.seconds).reduce(0, +)
        log.line(String(format: "data: %.2f s waiting for batches over %d steps (%.1f%% of %.1f s of steps; %d data workers)",
                        waited, run.trainer.history.count, 100 * waited / max(waited + trained, 1e-9), waited + trained,
                        ParallelRows.resolvedWorkers(config.workers)))
        if let resultsFile {
            var object = (try? JSONSerialization.jsonObject(with: JSONEncoder.sorted.encode(report))) as? [String: Any] ?? [:]
            object["final"] = true
            object["data_wait_s"] = run.trainer.history.map(\.dataSeconds).reduce(0, +)
            object = object.filter { !(($0.value as? Double)?.isNaN ?? false) }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                resultsFile.write(data + Data("\n".utf8))
            }
            try? resultsFile.close()
        }
    }

    static func summary(_ r: FinalReport) -> String {
        func p(_ x: Double?) -> String { x.map { $0.isNaN ? "–" : String(format: "%.2f%%", $0) } ?? "–" }
        return """
        final: kNN top-1 \(p(r.knnTop1)), linear top-1 \(p(r.linearTop1)) | baselines: raw pixels \(p(r.rawPixelKnnTop1)), random-init encoder \(p(r.randomInitKnnTop1))
        collapse: effective rank \(String(format: "%.1f", r.effectiveRank)), std of normalised features \(String(format: "%.4f", r.featureStd))\(outputs(r)) | \(r.steps) steps in \(String(format: "%.0f", r.seconds)) s
        """
    }

    /// The projector outputs' collapse metrics, when the report has them.
    static func outputs(_ r: FinalReport) -> String {
        guard let rank = r.outputEffectiveRank, let std = r.outputStd else { return "" }
        return "; projector outputs: effective rank \(String(format: "%.1f", rank)), std \(String(format: "%.4f", std))"
    }

    /// Ctrl-C: the first stops after the current step (and still checkpoints), the second exits.
    func installInterrupt(_ run: TrainingRun) {
        signal(SIGINT) { _ in
            if TrainCommand.interrupt.isRaised { _exit(130) }
            TrainCommand.interrupt.raise()
        }
        run.shouldStop = { TrainCommand.interrupt.isRaised }
    }

    /// Set by Ctrl-C (the shell's atomic flag; a signal handler cannot capture context).
    static let interrupt = InterruptFlag()
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
}
