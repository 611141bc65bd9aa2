import Foundation
import Testing
import TensorCore
import Layers
import Data
import SSL

/// `unigrad linear-eval`'s library: loading a checkpoint's encoder and the official protocol.
@Suite(.serialized) struct LinearEvaluationTests {
    static func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "unigrad-lineval-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A shrunk tiny run, trained a few steps and checkpointed.
    static func tinyCheckpoint() throws -> (path: String, run: TrainingRun) {
        var config = TestConfigs.tiny()
        config.syntheticTrain = 1024
        config.syntheticTest = 200
        config.maxSteps = 16
        let run = try TrainingRun(config: config)
        try run.run()
        let store = CheckpointStore(directory: temporaryDirectory())
        try store.save(run.trainer, config: config)
        return (store.path, run)
    }

    @Test func theCheckpointsEncoderIsRestoredExactlyAndFrozen() throws {
        let (path, run) = try Self.tinyCheckpoint()
        let (encoder, config, step) = try LinearEvaluation.encoder(checkpoint: path, inputChannels: 1)
        #expect(step == 16 && config == run.config && !encoder.isTraining)
        let trained = Dictionary(uniqueKeysWithValues: run.trainer.model.encoder.namedTensors.map { ($0.name, $0.parameter.value) })
        #expect(encoder.namedTensors.count == trained.count && trained.keys.contains { $0.hasSuffix("running_mean") })
        for (name, p) in encoder.namedTensors { #expect(p.value == trained[name], "\(name)") }
        // Same features as the trained model's (eval mode, BN running statistics).
        let images = run.data.test.tensor(indices: Array(0..<16), normalization: run.data.normalization)
        #expect(encoder.forward(images) == run.trainer.model.features(images))
        // Evaluating leaves the encoder untouched.
        let before = encoder.namedTensors.map(\.parameter.value)
        let settings = LinearEvalSettings(epochs: 1, batchSize: 64, baseLR: 0.1, trust: 0.05, seed: 1)
        _ = try LinearEvaluation(config: config, settings: settings, encoder: encoder, data: run.data).run()
        #expect(encoder.namedTensors.map(\.parameter.value) == before)
    }

    /// The protocol's defaults for `tiny` on a briefly trained checkpoint: both the augmented
    /// (official) path and the precomputed path beat chance (10%) by a wide margin.
    @Test(arguments: [false, true])
    func tinyCheckpointBeatsChance(_ precomputed: Bool) throws {
        let (path, run) = try Self.tinyCheckpoint()
        let (encoder, config, _) = try LinearEvaluation.encoder(checkpoint: path, inputChannels: 1)
        var settings = LinearEvalSettings.defaults(for: config, trainCount: run.data.train.count)
        #expect(settings.epochs == 30 && settings.batchSize == 256 && settings.learningRate == 0.1)
        #expect(settings.cropScaleMin == config.cropScaleMin)
        // Shortened: 20 epochs of 16 batches of 64; η·trust at its cap.
        settings.epochs = 20
        settings.batchSize = 64
        settings.trust = settings.budgetTrust(trainCount: run.data.train.count)
        #expect(abs(settings.trust * settings.learningRate - LinearEvalSettings.maximumStep) < 1e-12)
        let evaluation = LinearEvaluation(config: config, settings: settings, encoder: encoder, data: run.data)
        var seen: [LinearEvalEpoch] = []
        evaluation.onEpoch = { seen.append($0) }
        let result = try evaluation.run(precomputed: precomputed)
        #expect(seen.count == 20 && result.epochs == seen)
        #expect(seen.allSatisfy { $0.loss.isFinite && $0.trainTop1 >= 0 && $0.trainTop1 <= 100 })
        #expect(seen[0].learningRate == 0.025 && seen[19].learningRate < 0.0002)   // per-epoch cosine
        #expect(result.valCount == 200 && result.featureDimension == 32)
        #expect(result.valTop1 > 35, "val top-1 \(result.valTop1)% (chance 10%)")
    }

    /// A constructed linearly separable set (labels = argmax of a random linear teacher, points
    /// within a margin of a boundary dropped) reaches ~100% through the whole pipeline: 1×1×D
    /// "images", a `Flatten` encoder, the tiny preset's default protocol on precomputed features.
    @Test func linearlySeparableFeaturesReachFullAccuracy() throws {
        var rng = RandomGenerator(seed: 11)
        let d = 16, classes = 4
        let teacher = Tensor<Float>.randomNormal([d, classes], using: &rng)
        func sample(_ n: Int) -> ImageDataset {
            var pixels: [Float] = [], labels: [Int] = []
            while labels.count < n {
                let x = Tensor<Float>.randomNormal([1, d], using: &rng)
                let scores = x.matmul(teacher).scalars
                let sorted = scores.sorted(by: >)
                guard sorted[0] - sorted[1] > 0.5 else { continue }
                pixels += x.scalars
                labels.append(scores.firstIndex(of: sorted[0]) ?? 0)
            }
            return ImageDataset(name: "separable", channels: 1, height: 1, width: d, storage: .float(pixels),
                                labels: labels, classNames: (0..<classes).map(String.init))
        }
        let data = RunData(train: sample(2000), test: sample(500), normalization: .identity(channels: 1))
        var config = try #require(Presets.config("tiny"))
        config.imageSize = d
        let settings = LinearEvalSettings.defaults(for: config, trainCount: 2000)
        let result = try LinearEvaluation(config: config, settings: settings, encoder: Flatten<Float>(), data: data)
            .run(precomputed: true)
        #expect(result.epochs.count == 30)
        #expect(result.valTop1 >= 99, "val top-1 \(result.valTop1)%")
        #expect(result.epochs.last!.trainTop1 >= 99)
        #expect(result.epochs.last!.loss < 0.2 * result.epochs.first!.loss)
    }

    @Test func defaultsFollowThePresetAndTheOfficialBudget() throws {
        let paper = LinearEvalSettings.defaults(for: try #require(Presets.config("paper")), trainCount: 1_281_167)
        #expect(paper.epochs == 90 && paper.batchSize == 4096 && paper.learningRate == 1.6 && paper.trust == 0.001)
        #expect(paper.momentum == 0.9 && paper.weightDecay == 0 && paper.augment)
        // The official run's steps × lr × trust, recovered by the budget rule at the official size.
        #expect(abs(paper.budgetTrust(trainCount: 1_281_167) - 0.001) < 1e-12)
        let full = LinearEvalSettings.defaults(for: try #require(Presets.config("full")), trainCount: 50_000)
        #expect(full.epochs == 90 && full.batchSize == 256)
        #expect(abs(Double(90 * 196) * full.learningRate * full.trust - LinearEvalSettings.officialLARCBudget) < 1e-9)
        // A small training set caps the batch.
        #expect(LinearEvalSettings.defaults(for: try #require(Presets.config("tiny")), trainCount: 100).batchSize == 100)
    }

    @Test func settingsKeysValidate() throws {
        var s = LinearEvalSettings(epochs: 1, batchSize: 8, baseLR: 0.1, trust: 0.001)
        try s.set("epochs", "5"); try s.set("batch", "512"); try s.set("lr", "0.2"); try s.set("augment", "false")
        #expect(s.epochs == 5 && s.batchSize == 512 && s.learningRate == 0.4 && !s.augment)
        #expect(throws: ConfigError.self) { try s.set("epochs", "0") }
        #expect(throws: ConfigError("unknown linear-eval key 'epoch'; did you mean 'epochs'?")) { try s.set("epoch", "3") }
        #expect(throws: ConfigError.self) { try s.set("lr", "nan") }
    }

    @Test func aForeignFileIsAOneLineError() throws {
        let path = Self.temporaryDirectory() + "/not-a-checkpoint.safetensors"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: TrainingError.self) { try LinearEvaluation.encoder(checkpoint: path) }
        #expect(error.map { !$0.description.contains("\n") } ?? false)
    }
}
