import Foundation
import Dispatch
import TensorCore
import Layers
import Data
import Eval

/// Settings of the linear evaluation (`unigrad linear-eval`), the official protocol scaled to a
/// preset.
///
/// The official protocol (SimSiam's `main_lincls.py`, used by the UniGrad code; paper.md §6):
/// frozen backbone in eval mode, a linear classifier initialised `N(0, 0.01²)`, 90 epochs, batch
/// 4096, SGD (momentum 0.9, weight decay 0) inside LARC (trust 0.001, no clipping), learning rate
/// `0.1·B/256 = 1.6` with a per-epoch cosine decay `η_e = η·½(1 + cos(π e/E))`, training images
/// through RandomResizedCrop + horizontal flip, top-1 on the validation set.
///
/// LARC moves each tensor by about `η·trust` of its norm per step, so what the protocol fixes is
/// the product `K·η·trust` over its `K` steps (≈ 45 on ImageNet: 90 × 313 steps × 1.6 × 0.001).
/// The smaller presets keep that product (with `η·trust` ≤ `maximumStep`) by raising the trust
/// coefficient for their shorter runs (see `defaults(for:trainCount:)`); with the official 0.001 a 30-epoch run on a few
/// thousand images would leave the classifier where it was initialised.
public struct LinearEvalSettings: Codable, Equatable, Sendable {
    /// Passes over the training set.
    public var epochs: Int
    /// Mini-batch size.
    public var batchSize: Int
    /// Base learning rate, scaled by `batch/256`.
    public var baseLR: Double
    /// SGD momentum.
    public var momentum = 0.9
    /// Weight decay on the classifier's weights.
    public var weightDecay = 0.0
    /// LARC trust coefficient (0: plain SGD).
    public var trust: Double
    /// Train on RandomResizedCrop + flip views (official); false: the un-augmented images.
    public var augment = true
    /// RandomResizedCrop's smallest area fraction (torchvision's default 0.08).
    public var cropScaleMin = 0.08
    /// Seed of the initialisation, the shuffles and the crops.
    public var seed: UInt64 = 0

    /// Settings with the given values (defaults: momentum 0.9, wd 0, augmented, crop scale 0.08–1).
    public init(epochs: Int, batchSize: Int, baseLR: Double, momentum: Double = 0.9, weightDecay: Double = 0,
                trust: Double, augment: Bool = true, cropScaleMin: Double = 0.08, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.baseLR = baseLR
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.trust = trust
        self.augment = augment
        self.cropScaleMin = cropScaleMin
        self.seed = seed
    }

    /// The official `K·η·trust` (90 epochs × ⌈1,281,167/4096⌉ steps × 1.6 × 0.001).
    public static let officialLARCBudget = 90.0 * 313 * 1.6 * 0.001

    /// The learning rate after linear scaling, `baseLR·batch/256`.
    public var learningRate: Double { baseLR * Double(batchSize) / 256 }

    /// The settings for a run of `config`'s preset on `trainCount` training images:
    ///
    /// | preset | epochs | batch | base lr | trust | crop scale |
    /// |---|---|---|---|---|---|
    /// | `paper` | 90 | 4096 | 0.1 (→ 1.6) | 0.001 (official) | 0.08–1 (official) |
    /// | `full` | 90 | 256 | 0.1 | official `K·η·trust` | pre-training's (0.2–1) |
    /// | `small`, `tiny` | 30 | 256 | 0.1 | official `K·η·trust` | pre-training's (0.3–1) |
    ///
    /// where "official `K·η·trust`" sets `trust = 45.1/(K·η)` for this run's `K` steps (within
    /// 0.001…0.03/η, see `maximumStep`). The batch never exceeds the training set.
    public static func defaults(for config: TrainingConfig, trainCount: Int) -> LinearEvalSettings {
        var s = LinearEvalSettings(epochs: 30, batchSize: 256, baseLR: 0.1, trust: 0.001, seed: config.seed)
        switch config.preset {
        case "paper": s.epochs = 90; s.batchSize = 4096
        case "full": s.epochs = 90
        default: break
        }
        // Small images: crops no smaller than the pre-training's (0.08 of a 28-px image is 8 px).
        if config.preset != "paper" { s.cropScaleMin = max(0.08, min(1, config.cropScaleMin)) }
        s.batchSize = max(1, min(s.batchSize, trainCount))
        if config.preset != "paper" { s.trust = s.budgetTrust(trainCount: trainCount) }
        return s
    }

    /// The largest step the budget rule gives, `η·trust` (the fraction of `‖W‖` one LARC step
    /// moves, before momentum multiplies it by up to ten). Once the classes are separated, `‖W‖`
    /// grows geometrically at about that rate; on `tiny` (480 steps, η = 0.1) trust 0.3 gave 87.8%
    /// val top-1, 0.94 87.3% and 3 a loss of 6·10⁶.
    public static let maximumStep = 0.03

    /// The trust coefficient that gives this run the official `K·η·trust`, at least 0.001 and at
    /// most `maximumStep/η`.
    public func budgetTrust(trainCount: Int) -> Double {
        let steps = Double(epochs * ((trainCount + batchSize - 1) / max(batchSize, 1)))
        return min(Self.maximumStep / learningRate, max(0.001, Self.officialLARCBudget / max(steps * learningRate, 1e-12)))
    }

    /// The settable keys (`--set key=value`).
    public static let keyNames = ["epochs", "batch", "lr", "momentum", "wd", "trust", "augment", "crop_scale_min", "seed"]

    /// Sets a key from text; throws `ConfigError` for unknown keys and bad values.
    public mutating func set(_ key: String, _ text: String) throws {
        func number(min: Double = 0, max: Double = .greatestFiniteMagnitude) throws -> Double {
            guard let v = Double(text), v.isFinite, v >= min, v <= max else {
                throw ConfigError("\(key) must be a number in \(formatNumber(min))…\(max == .greatestFiniteMagnitude ? "∞" : formatNumber(max)), got '\(text)'")
            }
            return v
        }
        func integer(min: Int) throws -> Int {
            guard let v = Int(text), v >= min else { throw ConfigError("\(key) must be an integer ≥ \(min), got '\(text)'") }
            return v
        }
        switch key {
        case "epochs": epochs = try integer(min: 1)
        case "batch": batchSize = try integer(min: 1)
        case "lr":
            baseLR = try number()
            guard baseLR > 0 else { throw ConfigError("lr must be > 0, got '\(text)'") }
        case "momentum": momentum = try number(max: 0.999)
        case "wd": weightDecay = try number()
        case "trust": trust = try number()
        case "crop_scale_min": cropScaleMin = try number(min: 0.01, max: 1)
        case "seed":
            guard let v = UInt64(text) else { throw ConfigError("seed must be a non-negative integer, got '\(text)'") }
            seed = v
        case "augment":
            switch text.lowercased() {
            case "true", "1", "yes", "on": augment = true
            case "false", "0", "no", "off": augment = false
            default: throw ConfigError("augment must be true or false, got '\(text)'")
            }
        default:
            throw ConfigError(Suggestions.unknown("linear-eval key", key, among: Self.keyNames))
        }
    }

    /// The classifier's update rule as `LinearProbeConfiguration` (no standardisation, as officially).
    public var probeConfiguration: LinearProbeConfiguration {
        LinearProbeConfiguration(epochs: epochs, batchSize: batchSize, learningRate: learningRate, momentum: momentum,
                                 weightDecay: weightDecay, optimizer: trust > 0 ? .lars(trustCoefficient: trust) : .sgd,
                                 standardizes: false, initStd: 0.01, seed: seed)
    }

    /// One line: `90 epochs, batch 4096, lr 1.6 (0.1·B/256), LARC trust 0.001, wd 0, augmented`.
    public var summary: String {
        "\(epochs) epochs, batch \(batchSize), lr \(formatNumber(learningRate)) (\(formatNumber(baseLR))·B/256), "
            + (trust > 0 ? "LARC trust \(String(format: "%.4g", trust))" : "SGD") + ", momentum \(formatNumber(momentum)), "
            + "wd \(formatNumber(weightDecay)), " + (augment ? "RandomResizedCrop(scale \(formatNumber(cropScaleMin))–1) + flip" : "no augmentation")
    }
}

/// One epoch of the linear evaluation.
public struct LinearEvalEpoch: Codable, Equatable, Sendable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches.
    public var loss: Double
    /// Training top-1 (%) of the classifier on each batch before its update.
    public var trainTop1: Double
    public var learningRate: Double
    public var seconds: Double
}

/// The outcome of a linear evaluation.
public struct LinearEvalResult: Codable, Equatable, Sendable {
    public var epochs: [LinearEvalEpoch]
    /// Top-1 (%) on the validation (test) set.
    public var valTop1: Double
    public var trainCount: Int
    public var valCount: Int
    public var featureDimension: Int
    public var seconds: Double
}

/// Linear evaluation of a frozen encoder: the official protocol (see `LinearEvalSettings`).
///
/// The encoder stays in evaluation mode throughout (batch norm uses its running statistics and
/// nothing flows back into it). With `precomputed`, the features of the un-augmented training
/// images are computed once and the classifier trains on those fixed features (fast, no
/// augmentation); otherwise every batch is a fresh RandomResizedCrop + flip of its images through
/// the encoder, as in the official code. Validation images take the evaluation transform of the
/// dataset (as for the kNN monitor).
///
/// Reference: Chen & He, "Exploring Simple Siamese Representation Learning", CVPR 2021 (linear
/// evaluation); Tao et al., CVPR 2022, official code.
public final class LinearEvaluation {
    public let config: TrainingConfig
    public let settings: LinearEvalSettings
    public let encoder: any Layer<Float>
    public let data: RunData
    /// Called after each epoch.
    public var onEpoch: ((LinearEvalEpoch) -> Void)?
    /// Polled between batches; returning true stops after the current epoch's batch.
    public var shouldStop: () -> Bool = { false }

    /// An evaluation of `encoder` (put in evaluation mode) on `data`.
    public init(config: TrainingConfig, settings: LinearEvalSettings, encoder: any Layer<Float>, data: RunData) {
        self.config = config
        self.settings = settings
        self.encoder = encoder
        self.data = data
        encoder.isTraining = false
    }

    /// The online encoder stored in a checkpoint written by `unigrad train --checkpoint-dir`,
    /// built from the checkpoint's config for images with `inputChannels` channels, with its
    /// parameters and batch-norm running statistics restored. Returns it with the stored config
    /// and the step at which it was saved.
    public static func encoder(checkpoint path: String, inputChannels: Int? = nil) throws
        -> (encoder: any Layer<Float>, config: TrainingConfig, step: Int) {
        let (snapshot, config) = try CheckpointStore.read(from: path)
        let channels = inputChannels ?? firstConvolutionChannels(snapshot)
        let model = try RunFactory.model(config, inputChannels: channels)
        for (name, p) in model.encoder.namedTensors {
            guard let v = snapshot.tensors[name] else {
                throw TrainingError.checkpoint("\(path) has no tensor '\(name)' for the \(config.encoder) encoder")
            }
            guard v.shape == p.value.shape else {
                throw TrainingError.checkpoint("tensor '\(name)' has shape \(v.shape) in \(path), \(p.value.shape) in the \(config.encoder) encoder")
            }
            p.value = v
        }
        model.encoder.isTraining = false
        return (model.encoder, config, snapshot.step)
    }

    /// The input channels of the encoder's first convolution in a snapshot (its weight is
    /// `(out, in, k, k)`; the lexicographically first 4-d encoder tensor is the stem's).
    static func firstConvolutionChannels(_ s: TrainerSnapshot) -> Int {
        let convs = s.tensors.filter { $0.key.hasPrefix("encoder.") && $0.value.rank == 4 }.sorted { $0.key < $1.key }
        return convs.first?.value.shape[1] ?? 3
    }

    /// Encoder features `(N, F)` of a `(N, C, H, W)` batch, in chunks, in evaluation mode.
    public func features(_ images: Tensor<Float>, chunk: Int = 256) -> Tensor<Float> {
        encoder.forwardInChunks(images, chunk: chunk)
    }

    /// Features of dataset images `indices` with the evaluation transform (no augmentation).
    public func evaluationFeatures(_ dataset: ImageDataset, indices: [Int]) -> Tensor<Float> {
        var parts: [Tensor<Float>] = []
        var start = 0
        while start < indices.count {
            let end = min(start + 512, indices.count)
            parts.append(features(dataset.tensor(indices: Array(indices[start..<end]), normalization: data.normalization)))
            start = end
        }
        return Tensor.concatenatingRows(parts)
    }

    /// A batch of augmented training images (RandomResizedCrop to the config's image size, then a
    /// horizontal flip with p = ½), normalised; each image's randomness depends only on
    /// `(seed, epoch, index)`. Images are prepared on all cores.
    public func augmentedBatch(indices: [Int], epoch: Int) -> Tensor<Float> {
        let size = config.imageSize
        let crop = RandomResizedCrop(size: size, scale: settings.cropScaleMin...1)
        let flip = HorizontalFlip(probability: 0.5)
        let c = data.train.channels, n = c * size * size
        var out = [Float](repeating: 0, count: indices.count * n)
        let dataset = data.train, normalization = data.normalization, seed = settings.seed
        out.withUnsafeMutableBufferPointer { buffer in
            let box = UnsafeSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: indices.count) { row in
                var rng = TwoViewPipeline.sampleGenerator(seed: seed, epoch: epoch, index: indices[row])
                let image = flip.apply(to: crop.apply(to: dataset.image(at: indices[row]), using: &rng), using: &rng)
                normalization.normalize(image, into: box.buffer, offset: row * n)
            }
        }
        return Tensor(shape: [indices.count, c, size, size], scalars: out)
    }

    /// Rows `indices` of a matrix.
    static func rows(_ m: Tensor<Float>, _ indices: [Int]) -> Tensor<Float> {
        let d = m.columns
        var out = [Float](repeating: 0, count: indices.count * d)
        m.scalars.withUnsafeBufferPointer { src in
            for (r, i) in indices.enumerated() { for j in 0..<d { out[r * d + j] = src[i * d + j] } }
        }
        return Tensor(shape: [indices.count, d], scalars: out)
    }

    /// Trains the classifier for `settings.epochs` epochs and returns the validation top-1.
    public func run(precomputed: Bool = false) throws -> LinearEvalResult {
        let start = Date()
        let train = data.train, val = data.test
        let classCount = max(train.classNames.count, (train.labels.max() ?? 0) + 1)
        guard train.count >= 1, val.count >= 1, classCount >= 2 else {
            throw TrainingError.invalidConfiguration("linear evaluation needs training and validation images of ≥ 2 classes (got \(train.count), \(val.count), \(classCount) classes)")
        }
        let all = Array(0..<train.count)
        let fixed: Tensor<Float>? = precomputed || !settings.augment ? evaluationFeatures(train, indices: all) : nil
        let dimension = fixed?.columns ?? features(augmentedBatch(indices: [0], epoch: 0)).columns
        var trainer = LinearClassifierTrainer<Float>(inputDimension: dimension, classCount: classCount,
                                                     configuration: settings.probeConfiguration)
        let batch = min(settings.batchSize, train.count)
        let steps = (train.count + batch - 1) / batch
        var rng = RandomGenerator(seed: settings.seed &+ 0x5eed)
        var epochs: [LinearEvalEpoch] = []
        for e in 0..<settings.epochs {
            let epochStart = Date()
            // Per-epoch cosine decay (main_lincls.py's adjust_learning_rate).
            let lr = settings.learningRate * 0.5 * (1 + cos(Double.pi * Double(e) / Double(settings.epochs)))
            let order = rng.permutation(train.count)
            var lossSum = 0.0, correct = 0
            for s in 0..<steps {
                let idx = Array(order[(s * batch)..<min(train.count, (s + 1) * batch)])
                let x: Tensor<Float>
                if let fixed {
                    x = Self.rows(fixed, idx)
                } else {
                    x = features(augmentedBatch(indices: idx, epoch: e))
                }
                if let bad = x.scalars.firstIndex(where: { !$0.isFinite }) {
                    throw TrainingError.invalidConfiguration("the encoder produced a non-finite feature (image \(idx[bad / dimension])); the checkpoint may have diverged")
                }
                let r = trainer.step(x, labels: idx.map { train.labels[$0] }, learningRate: Float(lr))
                lossSum += r.loss
                correct += r.correct
            }
            guard trainer.classifier.weights.scalars.allSatisfy(\.isFinite), trainer.classifier.bias.allSatisfy(\.isFinite) else {
                throw TrainingError.invalidConfiguration("the linear classifier diverged in epoch \(e + 1) (non-finite weights); lower lr or trust")
            }
            let record = LinearEvalEpoch(epoch: e + 1, loss: lossSum / Double(steps),
                                         trainTop1: 100 * Double(correct) / Double(train.count),
                                         learningRate: lr, seconds: Date().timeIntervalSince(epochStart))
            epochs.append(record)
            onEpoch?(record)
            if shouldStop() { break }
        }
        let valFeatures = evaluationFeatures(val, indices: Array(0..<val.count))
        let predictions = trainer.classifier.predict(valFeatures)
        let valTop1 = 100 * Double(zip(predictions, val.labels).filter { $0 == $1 }.count) / Double(val.count)
        return LinearEvalResult(epochs: epochs, valTop1: valTop1, trainCount: train.count, valCount: val.count,
                                featureDimension: dimension, seconds: Date().timeIntervalSince(start))
    }
}

/// A mutable buffer handed to `concurrentPerform`, whose iterations write disjoint rows.
struct UnsafeSendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}

extension RunData {
    /// Data for a run or an evaluation from its parts (e.g. a constructed dataset in a test).
    public init(train: ImageDataset, test: ImageDataset, normalization: ChannelNormalization) {
        self.init(train: train, test: test, normalization: normalization, note: nil)
    }
}
