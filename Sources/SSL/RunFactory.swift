import Foundation
import TensorCore
import Layers
import Methods
import Data

/// The training and test images of a run, with the per-channel normalisation computed on the
/// training images, and a note for the user (e.g. why synthetic data was used instead).
public struct RunData: Sendable {
    public var train: ImageDataset
    public var test: ImageDataset
    public var normalization: ChannelNormalization
    public var note: String?
}

/// Builds the parts of a run from a `TrainingConfig`: data, augmentation pipeline, model, method.
public enum RunFactory {
    /// Loads the configured dataset. Fashion-MNIST that is not installed falls back to synthetic
    /// shapes with a note saying how to install it; other missing data is an error.
    ///
    /// `folder`: `data_dir` is a root with `train/CLASS/*.{JPEG,jpg,jpeg,png}` and `val/CLASS/…`
    /// (``ImageFolder``); skipped files and empty class folders are reported to `log`.
    public static func loadData(_ config: TrainingConfig, log: DataWarningLog = .standardError()) throws -> RunData {
        var note: String?
        var train: ImageDataset, test: ImageDataset
        switch config.dataset {
        case "fashion-mnist":
            let dir = config.dataDir.isEmpty ? FashionMNIST.defaultDirectory : config.dataDir
            if FashionMNIST.isInstalled(.train, directory: dir) && FashionMNIST.isInstalled(.test, directory: dir) {
                do {
                    train = try FashionMNIST.load(.train, directory: dir)
                    test = try FashionMNIST.load(.test, directory: dir)
                } catch {
                    throw TrainingError.data(error.description)
                }
            } else {
                note = "Fashion-MNIST is not installed in \(dir) (apt-get install dataset-fashion-mnist); using synthetic shapes instead"
                (train, test) = synthetic(config)
            }
        case "cifar10":
            guard !config.dataDir.isEmpty else {
                throw TrainingError.data("cifar10 needs data_dir: the folder with data_batch_1.bin … test_batch.bin")
            }
            do {
                train = try CIFAR10.load(.train, directory: config.dataDir)
                test = try CIFAR10.load(.test, directory: config.dataDir)
            } catch {
                throw TrainingError.data(error.description)
            }
        case "folder":
            guard !config.dataDir.isEmpty else {
                throw TrainingError.data("folder needs data_dir: a folder with train/CLASS/*.JPEG (or .jpg, .png) and val/CLASS/…")
            }
            do {
                train = try ImageFolder.load(root: config.dataDir, split: "train", size: config.imageSize, log: log)
                test = try ImageFolder.load(root: config.dataDir, split: "val", classNames: train.classNames,
                                            size: config.imageSize, log: log)
            } catch {
                throw TrainingError.data(error.description)
            }
        case "synthetic":
            (train, test) = synthetic(config)
        default:
            throw TrainingError.data("dataset '\(config.dataset)' cannot be loaded by this build")
        }
        if config.subset > 0 && config.subset < train.count {
            train = train.subset(Array(0..<config.subset))
        }
        return RunData(train: train, test: test, normalization: train.channelStatistics(), note: note)
    }

    static func synthetic(_ config: TrainingConfig) -> (ImageDataset, ImageDataset) {
        let shapes = SyntheticShapes(size: config.imageSize, channels: 1)
        return (shapes.dataset(count: config.syntheticTrain, seed: config.seed, name: "synthetic-train"),
                shapes.dataset(count: config.syntheticTest, seed: config.seed &+ 1_000_003, name: "synthetic-test"))
    }

    /// The two-view augmentation of the config (both views alike, as in the official code).
    public static func pipeline(_ config: TrainingConfig, normalization: ChannelNormalization) -> TwoViewPipeline {
        var augmentations: [any ImageAugmentation] = [
            RandomResizedCrop(size: config.imageSize, scale: config.cropScaleMin...max(config.cropScaleMin, config.cropScaleMax)),
        ]
        if config.jitterStrength > 0 || config.hueStrength > 0 {
            let j = config.jitterStrength
            augmentations.append(ColorJitter(brightness: j, contrast: j, saturation: j, hue: config.hueStrength,
                                             probability: config.jitterProbability))
        }
        if config.grayscaleProbability > 0 { augmentations.append(RandomGrayscale(probability: config.grayscaleProbability)) }
        if config.blurProbability > 0 {
            augmentations.append(GaussianBlur(kernelSize: GaussianBlur.kernelSize(forImageSize: config.imageSize),
                                              probability: config.blurProbability))
        }
        if config.flipProbability > 0 { augmentations.append(HorizontalFlip(probability: config.flipProbability)) }
        return TwoViewPipeline(both: augmentations, normalization: normalization)
    }

    /// The method of the config, in Float for training.
    public static func method(_ config: TrainingConfig) throws -> any SSLMethod<Float> {
        let parameters = try config.resolvedMethodParameters()
        do {
            return try MethodCatalog.make(config.method, Float.self, parameters: parameters)
        } catch {
            throw ConfigError(error.description)
        }
    }

    /// The Siamese model of the config, initialised from `config.seed`; the first convolution
    /// computes no input gradient (the images need none).
    public static func model(_ config: TrainingConfig, inputChannels: Int) throws -> SiameseModel<Float> {
        let model: SiameseModel<Float> = try siameseModel(config, inputChannels: inputChannels, target: config.target)
        model.encoder.firstConvolution?.computesInputGradient = false
        return model
    }

    /// The Siamese network of the config in any precision (the shell's gradient checks mirror
    /// the Float model in Double): encoder with its `pool_grid` head, projector, optional predictor.
    public static func siameseModel<Scalar: BLASScalar>(_ config: TrainingConfig, inputChannels: Int,
                                                        target: TargetBranch) throws -> SiameseModel<Scalar> {
        guard let arch = EncoderArchitecture(rawValue: config.encoder) else {
            throw ConfigError("unknown encoder '\(config.encoder)'")
        }
        var rng = RandomGenerator(seed: config.seed)
        let encoder: Sequential<Scalar> = arch.make(inputChannels: inputChannels, poolGrid: config.poolGrid, using: &rng)
        let projector = Sequential<Scalar>.projector(inputDimension: arch.featureDimension(poolGrid: config.poolGrid),
                                                     hiddenDimension: config.projectorHidden,
                                                     outputDimension: config.projectorOutput, using: &rng)
        var predictor: Sequential<Scalar>?
        if config.predictorHidden > 0 {
            predictor = Sequential<Scalar>.predictor(inputDimension: config.projectorOutput,
                                                     hiddenDimension: config.predictorHidden,
                                                     outputDimension: config.projectorOutput, using: &rng)
        }
        return SiameseModel(encoder: encoder, projector: projector, predictor: predictor, targetBranch: target)
    }
}
