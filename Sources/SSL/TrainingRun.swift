import Foundation
import TensorCore
import Data
import Eval
import Methods
import Distributed

/// The result of the final evaluation of a run, with the two baselines that say whether the
/// encoder learned anything: kNN on raw pixels and kNN on a randomly initialised encoder.
public struct FinalReport: Codable, Equatable, Sendable {
    public var knnTop1: Double
    public var linearTop1: Double?
    public var rawPixelKnnTop1: Double
    public var randomInitKnnTop1: Double
    public var effectiveRank: Double
    public var featureStd: Double
    /// Effective rank and std of the ℓ2-normalised projector outputs `z` on the test images
    /// (healthy std ≈ 1/√D; a collapsed objective drives both down). Optional in stored reports.
    public var outputEffectiveRank: Double?
    public var outputStd: Double?
    public var steps: Int
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case knnTop1 = "knn_top1"
        case linearTop1 = "linear_top1"
        case rawPixelKnnTop1 = "raw_pixel_knn_top1"
        case randomInitKnnTop1 = "random_init_knn_top1"
        case effectiveRank = "effective_rank"
        case featureStd = "feature_std"
        case outputEffectiveRank = "output_effective_rank"
        case outputStd = "output_std"
        case steps, seconds
    }
}

/// A training run: data, loader, trainer and evaluation, driven step by step or epoch by epoch,
/// with callbacks for progress, epoch summaries and checkpoints. Used by `unigrad train`, the
/// shell's `train` and the experiments.
public final class TrainingRun {
    public let config: TrainingConfig
    public let data: RunData
    public let loader: BatchLoader
    public let trainer: Trainer
    /// Called after every step.
    public var onStep: ((StepRecord) -> Void)?
    /// Called at the end of every epoch (after its evaluation, if any).
    public var onEpoch: ((EpochRecord) -> Void)?
    /// Polled between steps; returning true stops the run after the current step.
    public var shouldStop: () -> Bool = { false }
    /// Epoch summaries so far.
    public private(set) var epochs: [EpochRecord] = []
    private var epochStart = Date()

    /// Builds the run from `config` (loading data, building the model and the method).
    /// - Parameter communicator: the data-parallel group (``Communicators/world()`` under `mpirun`);
    ///   every rank builds the same run from the same config and trains on its shard of each batch.
    public convenience init(config: TrainingConfig, data: RunData? = nil,
                            communicator: any Communicator = SingleProcessCommunicator()) throws {
        let data = try data ?? RunFactory.loadData(config)
        let method = try RunFactory.method(config)
        let model = try RunFactory.model(config, inputChannels: data.train.channels)
        try self.init(config: config, data: data, model: model, method: method, communicator: communicator)
    }

    /// A run around an existing model and method.
    public init(config: TrainingConfig, data: RunData, model: SiameseModel<Float>, method: any SSLMethod<Float>,
                communicator: any Communicator = SingleProcessCommunicator()) throws {
        guard config.batchSize % communicator.size == 0 else {
            throw TrainingError.invalidConfiguration("the batch (\(config.batchSize)) does not split evenly over \(communicator.size) ranks")
        }
        guard data.train.count >= config.batchSize else {
            throw TrainingError.invalidConfiguration("the batch (\(config.batchSize)) is larger than the training set (\(data.train.count) images)")
        }
        self.config = config
        self.data = data
        loader = BatchLoader(dataset: data.train, pipeline: RunFactory.pipeline(config, normalization: data.normalization),
                             batchSize: config.batchSize, seed: config.seed,
                             shard: communicator.rank, shardCount: communicator.size)
        trainer = Trainer(config: config, model: model, method: method, stepsPerEpoch: loader.batchesPerEpoch,
                          communicator: communicator)
    }

    /// Trains until `trainer.step == min(step, totalSteps)` or `shouldStop()`; evaluates and
    /// reports at each epoch end. Resumes from `trainer.step` (mid-epoch too).
    public func run(untilStep limit: Int? = nil) throws {
        let end = min(limit ?? trainer.totalSteps, trainer.totalSteps)
        let perEpoch = loader.batchesPerEpoch
        var iterator: PrefetchingBatchIterator?
        var iteratorEpoch = -1
        epochStart = Date()
        while trainer.step < end && !shouldStop() {
            let epoch = trainer.step / perEpoch, index = trainer.step % perEpoch
            let waitStart = Date()
            let batch: TwoViewBatch
            if iteratorEpoch != epoch {
                // A new epoch, or resuming mid-epoch: batches depend only on (seed, epoch, index).
                iterator = loader.epoch(epoch, startingAt: index, prefetch: 2, workers: config.workers)
                iteratorEpoch = epoch
            }
            guard let b = iterator?.next() else {
                preconditionFailure("the loader ended epoch \(epoch) before batch \(index)")
            }
            batch = b
            let record = try trainer.trainStep(batch.view1, batch.view2, dataSeconds: Date().timeIntervalSince(waitStart))
            onStep?(record)
            if trainer.step % perEpoch == 0 {
                let evaluate = config.evalEvery > 0 && (epoch + 1) % config.evalEvery == 0
                finishEpoch(epoch, evaluate: evaluate)
            }
        }
    }

    private func finishEpoch(_ epoch: Int, evaluate: Bool) {
        let records = trainer.history.filter { $0.epoch == epoch }
        let n = Double(max(records.count, 1))
        let seconds = Date().timeIntervalSince(epochStart)
        var e = EpochRecord(epoch: epoch + 1, loss: records.map(\.loss).reduce(0, +) / n,
                            posSim: records.map(\.positiveSimilarity).reduce(0, +) / n,
                            knnTop1: nil, effectiveRank: nil, featureStd: nil,
                            imagesPerSecond: Double(records.count * config.batchSize) / max(records.map(\.seconds).reduce(0, +) + records.map(\.dataSeconds).reduce(0, +), 1e-9),
                            seconds: seconds, dataWaitSeconds: records.map(\.dataSeconds).reduce(0, +))
        if evaluate, let m = try? monitor() {
            e.knnTop1 = m.knn
            e.effectiveRank = m.report.effectiveRank
            e.featureStd = m.report.normalizedStd
        }
        epochs.append(e)
        onEpoch?(e)
        epochStart = Date()
    }

    /// The kNN bank indices (all training images, or the first `evalBank`).
    var bankIndices: [Int] {
        let n = config.evalBank > 0 ? min(config.evalBank, data.train.count) : data.train.count
        return Array(0..<n)
    }

    /// Encoder features (eval mode) of `indices` of `dataset`. With several ranks each computes a
    /// contiguous part and the parts are all-gathered, so every rank gets the whole (N, F) bank
    /// (a collective call).
    public func features(of dataset: ImageDataset, indices: [Int], model: SiameseModel<Float>? = nil) -> Tensor<Float> {
        let c = trainer.communicator
        guard c.isDistributed, let last = indices.last else { return localFeatures(of: dataset, indices: indices, model: model) }
        // Rank r takes indices r·k ..< (r+1)·k; the last ranks pad with the last index, so rows
        // 0..<N of the gathered (P·k, F) tensor are the features of `indices` in order.
        let k = (indices.count + c.size - 1) / c.size
        var mine = Array(indices[min(c.rank * k, indices.count)..<min((c.rank + 1) * k, indices.count)])
        while mine.count < k { mine.append(last) }
        return c.allGatherRows(localFeatures(of: dataset, indices: mine, model: model)).slicingRows(0..<indices.count)
    }

    /// Features of `indices` computed by this process alone.
    func localFeatures(of dataset: ImageDataset, indices: [Int], model: SiameseModel<Float>?) -> Tensor<Float> {
        let m = model ?? trainer.model
        // At most ~2¹⁸ input pixels per chunk (256 images at 32 px, 334 at 28 px, 5 at 224 px):
        // the layers keep their activations even in eval mode, and 20 ResNet-50 images at 224 px
        // already took 3.5 GB (measured).
        let chunk = min(1024, max(4, (1 << 18) / max(dataset.height * dataset.width, 1)))
        // The chunks' features go straight into one (N, F) buffer, allocated once the first chunk
        // gives F: collecting the parts and concatenating them held the bank twice (2 GB for the
        // 60k × 4096 bank of `small`).
        var scalars: [Float] = [], width = 0
        var start = 0
        while start < indices.count {
            let end = min(start + chunk, indices.count)
            let f = m.features(dataset.tensor(indices: Array(indices[start..<end]), normalization: data.normalization,
                                              workers: config.workers))
            if start == 0 {
                width = f.columns
                scalars.reserveCapacity(indices.count * width)
            }
            scalars.append(contentsOf: f.scalars)
            start = end
        }
        return Tensor(shape: [indices.count, width], scalars: scalars)
    }

    /// kNN top-1 (%) of the current encoder and collapse metrics of its test features.
    ///
    /// Memory: the collapse metrics (Double copies of the test features) are computed and their
    /// memory handed back (`FreedMemory`) before the bank is built, and the bank's afterwards, so
    /// the peak is one bank plus the test features.
    public func monitor() throws -> (knn: Double, report: CollapseReport, test: Tensor<Float>) {
        try FreedMemory.releasing {
            let test = features(of: data.test, indices: Array(0..<data.test.count))
            let report = try FreedMemory.releasing { try CollapseReport(features: test) }
            let bank = features(of: data.train, indices: bankIndices)
            return (try knnTop1(bank: bank, test: test), report, test)
        }
    }

    /// kNN top-1 (%) of `test` against `bank`. With several ranks each classifies a contiguous part
    /// of the queries and the correct counts are all-reduced (a collective call; an error on any
    /// rank is an error on all, so none is left waiting).
    func knnTop1(bank: Tensor<Float>, test: Tensor<Float>) throws -> Double {
        let monitor = KNNMonitor(k: config.knnK, temperature: config.knnT)
        let bankLabels = bankIndices.map { data.train.labels[$0] }, classes = data.train.classNames.count
        let c = trainer.communicator
        guard c.isDistributed else {
            return try monitor.evaluate(queries: test, queryLabels: data.test.labels, bank: bank,
                                        bankLabels: bankLabels, classCount: classes).top1 * 100
        }
        let n = test.shape[0], k = (n + c.size - 1) / c.size
        let rows = min(c.rank * k, n)..<min((c.rank + 1) * k, n)
        var counts: [Double] = [0, 0, 0]   // correct, queries, failed ranks
        var failure: (any Error)?
        if !rows.isEmpty {
            do {
                let r = try monitor.evaluate(queries: test.slicingRows(rows), queryLabels: Array(data.test.labels[rows]),
                                             bank: bank, bankLabels: bankLabels, classCount: classes)
                counts = [(r.top1 * Double(rows.count)).rounded(), Double(rows.count), 0]
            } catch {
                failure = error
                counts[2] = 1
            }
        }
        c.allReduceSum(&counts)
        if let failure { throw failure }
        if counts[2] > 0 { throw TrainingError.invalidConfiguration("kNN evaluation failed on another rank") }
        return counts[0] / max(counts[1], 1) * 100
    }

    /// kNN top-1 (%) on raw (normalised) pixels: the baseline an encoder must beat.
    public func rawPixelKnn() throws -> Double {
        let bank = data.train.tensor(indices: bankIndices, normalization: data.normalization, workers: config.workers)
        let test = data.test.tensor(indices: Array(0..<data.test.count), normalization: data.normalization, workers: config.workers)
        return try knnTop1(bank: bank.reshaped([bank.shape[0], bank.columns]), test: test.reshaped([test.shape[0], test.columns]))
    }

    /// kNN top-1 (%) of a freshly initialised encoder (same seed): the other baseline.
    public func randomInitKnn() throws -> Double {
        let fresh = try RunFactory.model(config, inputChannels: data.train.channels)
        return try knnTop1(bank: features(of: data.train, indices: bankIndices, model: fresh),
                           test: features(of: data.test, indices: Array(0..<data.test.count), model: fresh))
    }

    /// Linear-probe top-1 (%) on frozen encoder features (bank images for training, test set for testing).
    public func linearProbe(bank: Tensor<Float>? = nil, test: Tensor<Float>? = nil) throws -> Double {
        let trainX = bank ?? features(of: data.train, indices: bankIndices)
        let testX = test ?? features(of: data.test, indices: Array(0..<data.test.count))
        let result = try LinearProbe.train(trainFeatures: trainX, trainLabels: bankIndices.map { data.train.labels[$0] },
                                           testFeatures: testX, testLabels: data.test.labels,
                                           classCount: data.train.classNames.count,
                                           configuration: LinearProbeConfiguration(epochs: config.linearProbeEpochs, seed: config.seed))
        return result.testTop1 * 100
    }

    /// The final evaluation: kNN, linear probe, both baselines and collapse metrics.
    ///
    /// The trained encoder's bank is released before the baselines compute theirs, so at most one
    /// feature bank is alive at a time, and each bank's memory goes back to the system (`FreedMemory`).
    public func finalReport(linear: Bool = true, baselines: Bool = true, seconds: Double = 0) throws -> FinalReport {
        let (knn, linearTop1, report, outputs) = try FreedMemory.releasing { try trainedEncoderEvaluation(linear: linear) }
        return FinalReport(knnTop1: knn, linearTop1: linearTop1,
                           rawPixelKnnTop1: baselines ? try FreedMemory.releasing { try rawPixelKnn() } : .nan,
                           randomInitKnnTop1: baselines ? try FreedMemory.releasing { try randomInitKnn() } : .nan,
                           effectiveRank: report.effectiveRank, featureStd: report.normalizedStd,
                           outputEffectiveRank: outputs.effectiveRank, outputStd: outputs.normalizedStd,
                           steps: trainer.step, seconds: seconds)
    }

    /// kNN, optional linear probe and collapse reports (encoder features, projector outputs) of
    /// the trained encoder; its bank and test features live only inside this call, and the bank is
    /// built after the collapse metrics' memory is handed back (as in `monitor`).
    private func trainedEncoderEvaluation(linear: Bool) throws
        -> (knn: Double, linear: Double?, features: CollapseReport, outputs: CollapseReport) {
        let test = features(of: data.test, indices: Array(0..<data.test.count))
        let (report, outputs) = try FreedMemory.releasing {
            (try CollapseReport(features: test), try CollapseReport(features: trainer.model.projections(ofFeatures: test)))
        }
        let bank = features(of: data.train, indices: bankIndices)
        return (try knnTop1(bank: bank, test: test), linear ? try linearProbe(bank: bank, test: test) : nil,
                report, outputs)
    }
}
