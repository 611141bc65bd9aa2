import Data
import Layers
import SSL
import TensorCore

/// The `train` and `data` sections of `unigrad bench`: a full `small`-preset training step and the
/// `small` augmentation pipeline.
enum TrainStepBench {
    /// `steps` training steps per call on fixed random views; FLOPs counted as in the doc of
    /// `BenchCommand` (online forward ×3 for forward+backward, plus the momentum forward).
    static func kernel(batch: Int, steps: Int, using rng: inout RandomGenerator) -> BenchKernel {
        guard var config = Presets.config("small") else { preconditionFailure("the small preset is missing") }
        config.method = "unigrad"
        config.target = .momentum
        config.batchSize = batch
        do {
            let model = try RunFactory.model(config, inputChannels: 1)
            let method = try RunFactory.method(config)
            let trainer = Trainer(config: config, model: model, method: method, stepsPerEpoch: 1000)
            let x1 = Tensor<Float>.randomNormal([batch, 1, 28, 28], using: &rng)
            let x2 = Tensor<Float>.randomNormal([batch, 1, 28, 28], using: &rng)
            let macs = multiplyAccumulates(model.encoder, input: Tensor.concatenatingRows([x1, x2]))
                + multiplyAccumulates(model.projector, input: Tensor<Float>.zeros([2 * batch, 256]))
            let flopsPerStep = 2 * Double(macs) * (3 + 1)
            return BenchKernel(key: "train_step", flops: flopsPerStep * Double(steps)) {
                for _ in 0..<steps { _ = try? trainer.trainStep(x1, x2) }
            }
        } catch {
            preconditionFailure("the small preset does not build: \(error)")
        }
    }

    /// One two-view batch of the `small` pipeline on synthetic 28×28 images.
    static func dataKernel(batch: Int) -> BenchKernel {
        let dataset = SyntheticShapes(size: 28, channels: 1).dataset(count: max(batch, 512), seed: 3)
        let pipeline = TwoViewPipeline(both: AugmentationPreset.small(), normalization: dataset.channelStatistics())
        var epoch = 0
        return BenchKernel(key: "data_batch", flops: 0) {
            epoch += 1
            _ = pipeline.makeBatch(from: dataset, indices: Array(0..<batch), seed: 1, epoch: epoch)
        }
    }

    /// Multiply-accumulates of one forward pass through a tree of sequential containers
    /// (convolutions and linear layers; normalisation and activations are not counted).
    static func multiplyAccumulates(_ layer: any Layer<Float>, input: Tensor<Float>) -> Int {
        var total = 0
        _ = walk(layer, input, &total)
        return total
    }

    private static func walk(_ layer: any Layer<Float>, _ x: Tensor<Float>, _ total: inout Int) -> Tensor<Float> {
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
