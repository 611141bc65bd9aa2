import Data
import Foundation
import Layers
import SSL
import TensorCore

/// The `train` and `data` sections of `unigrad bench`: a full training step of a preset and the
/// preset's two-view data pipeline.
enum TrainStepBench {
    /// The preset's config for the bench (UniGrad, momentum target), with batch `batch`.
    static func config(preset: String, batch: Int) -> TrainingConfig {
        guard var config = Presets.config(preset) else { preconditionFailure("unknown preset '\(preset)'") }
        config.method = "unigrad"
        config.target = .momentum
        config.batchSize = batch
        return config
    }

    /// Input channels of a preset's images (1 for the grayscale presets).
    static func channels(preset: String) -> Int { ["tiny", "small"].contains(preset) ? 1 : 3 }

    /// `steps` training steps per call on fixed random views; FLOPs counted as in the doc of
    /// `BenchCommand` (online forward ×3 for forward+backward, plus the momentum forward).
    static func kernel(preset: String = "small", batch: Int, steps: Int, using rng: inout RandomGenerator) -> BenchKernel {
        let config = config(preset: preset, batch: batch)
        let c = channels(preset: preset), side = config.imageSize
        do {
            let model = try RunFactory.model(config, inputChannels: c)
            guard let arch = EncoderArchitecture(rawValue: config.encoder) else { preconditionFailure("unknown encoder '\(config.encoder)'") }
            let method = try RunFactory.method(config)
            let trainer = Trainer(config: config, model: model, method: method, stepsPerEpoch: 1000)
            let x1 = Tensor<Float>.randomNormal([batch, c, side, side], using: &rng)
            let x2 = Tensor<Float>.randomNormal([batch, c, side, side], using: &rng)
            model.setTraining(false)
            let macs = multiplyAccumulates(model.encoder, input: x1) * 2
                + multiplyAccumulates(model.projector, input: Tensor<Float>.zeros([2 * batch, arch.featureDimension(poolGrid: config.poolGrid)]))
            let flopsPerStep = 2 * Double(macs) * (3 + 1)
            return BenchKernel(key: "train_step", flops: flopsPerStep * Double(steps)) {
                for _ in 0..<steps { _ = try? trainer.trainStep(x1, x2) }
            }
        } catch {
            preconditionFailure("the \(preset) preset does not build: \(error)")
        }
    }

    /// The images a preset's data section works on: 28×28 synthetic shapes (`tiny`, `small`),
    /// 32×32 colour shapes (`full`, CIFAR-sized), or a folder of 256-px JPEGs written to a
    /// temporary directory (`paper`; decoded on demand, as ImageNet would be).
    static func dataset(preset: String, count: Int) -> ImageDataset {
        switch preset {
        case "full":
            return SyntheticShapes.color32.dataset(count: count, seed: 3)
        case "paper":
            let root = NSTemporaryDirectory() + "unigrad-bench-folder-\(ProcessInfo.processInfo.processIdentifier)"
            let perClass = (count + 9) / 10
            do {
                try SyntheticImageFolder(size: 256, trainPerClass: perClass, valPerClass: 1, format: .jpeg, seed: 3).write(to: root)
                return try ImageFolder.load(root: root, split: "train", size: 224, log: .standardError())
            } catch {
                preconditionFailure("cannot write the bench folder: \(error)")
            }
        default:
            return SyntheticShapes(size: 28, channels: 1).dataset(count: count, seed: 3)
        }
    }

    /// One two-view batch of the preset's pipeline: on the calling thread (`workers == 1`, key
    /// `data_batch`), or a whole epoch of `batches` batches through the loader's `workers` threads
    /// (key `data_epoch`).
    static func dataKernels(preset: String, batch: Int, workers: Int) -> [BenchKernel] {
        let config = config(preset: preset, batch: batch)
        let batches = 4
        let dataset = dataset(preset: preset, count: max(batch * batches, 64))
        let pipeline = RunFactory.pipeline(config, normalization: dataset.channelStatistics())
        let loader = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: batch, seed: 1)
        var epoch = 0, epoch2 = 0
        return [
            BenchKernel(key: "data_batch", flops: 0) {
                epoch += 1
                _ = pipeline.makeBatch(from: dataset, indices: Array(0..<batch), seed: 1, epoch: epoch)
            },
            BenchKernel(key: "data_epoch", flops: 0) {
                epoch2 += 1
                for _ in loader.epoch(epoch2, prefetch: workers, workers: workers).prefix(batches) {}
            },
        ]
    }

    /// Multiply-accumulates of one forward pass through a tree of sequential containers
    /// (convolutions and linear layers; normalisation and activations are not counted).
    static func multiplyAccumulates(_ layer: any Layer<Float>, input: Tensor<Float>) -> Int {
        var total = 0
        _ = walk(layer, input, &total)
        return total
    }

    private static func walk(_ layer: any Layer<Float>, _ x: Tensor<Float>, _ total: inout Int) -> Tensor<Float> {
        // Residual blocks: the main path in order, the shortcut on the block's input; the main
        // path's output has the block's output shape.
        if let block = layer as? BasicBlock<Float> {
            let path: [any Layer<Float>] = [block.conv1, block.bn1, block.relu, block.conv2, block.bn2]
            if let d = block.downsample { _ = walk(d, x, &total) }
            return path.reduce(x) { walk($1, $0, &total) }
        }
        if let block = layer as? Bottleneck<Float> {
            let path: [any Layer<Float>] = [block.conv1, block.bn1, block.relu1, block.conv2, block.bn2, block.relu2,
                                            block.conv3, block.bn3]
            if let d = block.downsample { _ = walk(d, x, &total) }
            return path.reduce(x) { walk($1, $0, &total) }
        }
        if let container = layer as? any LayerContainer<Float> {
            var h = x
            for child in container.children { h = walk(child.layer, h, &total) }
            return h
        }
        if let conv = layer as? Conv2d<Float> {
            total += conv.multiplyAccumulates(inputShape: x.shape)
        } else if let linear = layer as? Linear<Float> {
            total += x.rows * linear.weight.value.count
        }
        return layer.forward(x)
    }
}
