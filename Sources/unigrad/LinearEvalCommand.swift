import ArgumentParser
import Foundation
import Layers
import TensorCore
import SSL
import Lab

/// `unigrad linear-eval`: the official linear evaluation of a checkpoint's frozen encoder.
struct LinearEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear-eval",
        abstract: "Linear evaluation of a checkpoint's frozen encoder (LARC, cosine, top-1 on the validation set).",
        discussion: """
        The official protocol (SimSiam's main_lincls.py, used by the UniGrad
        code): the encoder is frozen in evaluation mode (batch norm uses its
        running statistics); a linear classifier initialised N(0, 0.01²) is
        trained with SGD (momentum 0.9, wd 0) inside LARC, learning rate
        0.1·B/256 with a per-epoch cosine decay, on RandomResizedCrop + flip
        views of the training images; top-1 is measured on the validation set.

        Defaults follow the checkpoint's preset. paper: 90 epochs, batch 4096,
        trust 0.001, crop scale 0.08–1 (official). full: 90 epochs; tiny and
        small: 30 epochs; batch 256, crops no smaller than in pre-training, and
        the trust raised so that steps × lr × trust equals the official run's
        (≈ 45), with lr × trust at most 0.03 (on tiny: trust 0.001 gives 16%
        val top-1, 0.3 gives 88%).

        --precomputed trains on features of the un-augmented training images
        computed once (much faster; no augmentation). --set takes the
        linear-eval keys epochs, batch, lr, momentum, wd, trust, augment,
        crop_scale_min, seed, or a training setting that does not change the
        model (data_dir, subset, threads, …).

        Examples:
          unigrad train --preset tiny --checkpoint-dir runs/tiny --quick
          unigrad linear-eval runs/tiny
          unigrad linear-eval runs/tiny --precomputed --epochs 100
          unigrad linear-eval runs/a --set trust=0.001 --set batch=1024
        """)

    @Argument(help: "A checkpoint directory (written by train --checkpoint-dir) or its checkpoint.safetensors.")
    var checkpoint: String
    @Option(help: "Epochs (overrides the preset's default).")
    var epochs: Int?
    @Option(name: .customLong("set"), help: "key=value: a linear-eval key or a data setting (repeatable).")
    var assignments: [String] = []
    @Flag(help: "Train on fixed features of the un-augmented training images (fast path).")
    var precomputed = false
    @Option(help: "Write the result (settings, epochs, val top-1) as one JSON line to this file.")
    var results: String?

    func run() throws {
        KernelThreading.followBLASThreads()
        AllocatorTuning.keepFreedMemory()
        do {
            try evaluate()
        } catch let e as ExitCode {
            throw e
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The checkpoint file for a directory or file argument.
    var checkpointPath: String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDirectory), isDirectory.boolValue {
            return CheckpointStore(directory: checkpoint).path
        }
        return checkpoint
    }

    func evaluate() throws {
        let path = checkpointPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError("no checkpoint at '\(path)' (write one with: unigrad train --checkpoint-dir DIR)")
        }
        var (_, config) = try CheckpointStore.read(from: path)
        // Data settings may change; the linear-eval keys are applied once the data is known.
        var evalAssignments: [(String, String)] = []
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else { throw ConfigError("--set takes key=value, got '\(a)'") }
            let key = String(a[..<eq]), value = String(a[a.index(after: eq)...])
            if LinearEvalSettings.keyNames.contains(key) {
                evalAssignments.append((key, value))
            } else if Self.modelKeys.contains(key) {
                throw ConfigError("\(key) is fixed by the checkpoint and cannot change for the linear evaluation")
            } else if !TrainingConfig.keyNames.contains(key) {
                throw ConfigError(Suggestions.unknown("linear-eval key", key, among: LinearEvalSettings.keyNames + Self.dataKeys))
            } else {
                try config.set(key, value)
            }
        }
        if config.threads > 0 { BLASThreads.set(config.threads) }
        let data = try RunFactory.loadData(config)
        var settings = LinearEvalSettings.defaults(for: config, trainCount: data.train.count)
        if let epochs { try settings.set("epochs", String(epochs)) }
        let explicitTrust = evalAssignments.contains { $0.0 == "trust" }
        for (k, v) in evalAssignments { try settings.set(k, v) }
        settings.batchSize = min(settings.batchSize, data.train.count)
        // A changed schedule keeps the official steps × lr × trust unless the trust was given.
        if config.preset != "paper" && !explicitTrust { settings.trust = settings.budgetTrust(trainCount: data.train.count) }
        if precomputed { settings.augment = false }
        let (encoder, _, step) = try LinearEvaluation.encoder(checkpoint: path, inputChannels: data.train.channels)

        print("unigrad linear-eval: \(path) (step \(step); preset \(config.preset), method \(config.method), encoder \(config.encoder))")
        if let note = data.note { print("note: " + note) }
        print("data: \(data.train.name) \(data.train.count) train / \(data.test.count) val, \(data.train.classNames.count) classes; BLAS threads \(BLASThreads.count)")
        print("protocol: \(settings.summary)\(precomputed ? " (precomputed features)" : "")")
        let evaluation = LinearEvaluation(config: config, settings: settings, encoder: encoder, data: data)
        evaluation.onEpoch = { e in
            print(String(format: "epoch %3d/%d  loss %.4f  train top-1 %6.2f%%  lr %.4g  %.1f s",
                         e.epoch, settings.epochs, e.loss, e.trainTop1, e.learningRate, e.seconds))
        }
        signal(SIGINT) { _ in
            if LinearEvalCommand.interrupt.isRaised { _exit(130) }
            LinearEvalCommand.interrupt.raise()
        }
        evaluation.shouldStop = { LinearEvalCommand.interrupt.isRaised }
        let result = try evaluation.run(precomputed: precomputed)
        print(String(format: "val top-1 %.2f%% (%d images, %d-d features, %d epochs) in %.1f s",
                     result.valTop1, result.valCount, result.featureDimension, result.epochs.count, result.seconds))
        if let results {
            struct Line: Encodable { var checkpoint: String; var step: Int; var precomputed: Bool; var settings: LinearEvalSettings; var result: LinearEvalResult }
            let data = try JSONEncoder.sorted.encode(Line(checkpoint: path, step: step, precomputed: precomputed, settings: settings, result: result))
            guard FileManager.default.createFile(atPath: results, contents: data + Data("\n".utf8)) else {
                throw ConfigError("cannot write results file '\(results)'")
            }
        }
    }

    /// Settings that define the model: fixed by the checkpoint.
    static let modelKeys: Set<String> = ["preset", "method", "target", "encoder", "projector_hidden", "projector_out", "predictor_hidden"]
    /// Training settings that may change for the evaluation.
    static var dataKeys: [String] { TrainingConfig.keyNames.filter { !modelKeys.contains($0) } }

    /// Set by Ctrl-C: the evaluation stops after the current epoch and still reports val top-1.
    static let interrupt = InterruptFlag()
}
