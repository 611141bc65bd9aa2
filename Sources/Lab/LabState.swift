import Foundation
import TensorCore
import Data
import Eval
import SSL

/// What a session has built from its settings: the data, the trainer (model, method, optimizer),
/// the current batch, the layer-by-layer cursor, and the training history for plots.
public final class LabState {
    public var data: RunData?
    var dataSignature = ""
    public var trainer: Trainer?
    var modelSignature = ""
    var trainerSignature = ""
    /// The current batch of two views and how many batches were drawn.
    public var batch: TwoViewBatch?
    public var batchesDrawn = 0
    /// Layer-by-layer stepping: the next layer index and the outputs so far.
    public var traceCursor = 0
    public var traceOutputs: [(name: String, output: Tensor<Float>)] = []
    /// Per-epoch (or per-evaluation) records for plots.
    public var evaluations: [EpochRecord] = []
    /// The feature spectrum at the last evaluation.
    public var spectrum: [Double] = []
    /// A snapshot for `undo`.
    var snapshot: TrainerSnapshot?

    public init() {}
}

extension Session {
    /// Called after a setting changes: the next command rebuilds what depends on it.
    func settingsChanged(_ key: String) {
        // Nothing to do eagerly: `ensureData` and `ensureTrainer` compare signatures.
    }

    /// The dataset of the current settings, loaded on first use (and reloaded when they change).
    @discardableResult
    public func ensureData() throws -> RunData {
        let c = config
        let signature = "\(c.dataset)|\(c.dataDir)|\(c.subset)|\(c.syntheticTrain)|\(c.syntheticTest)|\(c.imageSize)|\(c.seed)"
        if let d = state.data, state.dataSignature == signature { return d }
        do {
            let d = try RunFactory.loadData(c)
            if let note = d.note { print("note: " + note) }
            print("loaded \(d.train.name): \(d.train.count) training and \(d.test.count) test images of \(d.train.channels)×\(d.train.height)×\(d.train.width)")
            state.data = d
            state.dataSignature = signature
            state.batch = nil
            return d
        } catch let e as TrainingError {
            throw LabError(e.description)
        }
    }

    /// The trainer (model, method, optimizer) of the current settings. The model is kept when only
    /// the method, its hyper-parameters or the optimisation settings change.
    @discardableResult
    public func ensureTrainer() throws -> Trainer {
        let d = try ensureData()
        let c = config
        let modelSignature = "\(c.encoder)|\(c.projectorHidden)|\(c.projectorOutput)|\(c.predictorHidden)|\(c.target.rawValue)|\(c.seed)|\(d.train.channels)"
        let trainerSignature = c.json()
        if let t = state.trainer, state.trainerSignature == trainerSignature { return t }
        do {
            let method = try RunFactory.method(c)
            let model: SiameseModel<Float>
            if let t = state.trainer, state.modelSignature == modelSignature {
                model = t.model
            } else {
                model = try RunFactory.model(c, inputChannels: d.train.channels)
                step = 0
            }
            let t = Trainer(config: c, model: model, method: method,
                            stepsPerEpoch: max(1, d.train.count / c.batchSize))
            t.step = state.trainer?.step ?? 0
            if state.modelSignature != modelSignature { t.step = 0 }
            state.trainer = t
            state.modelSignature = modelSignature
            state.trainerSignature = trainerSignature
            return t
        } catch let e as ConfigError {
            throw LabError(e.message)
        }
    }

    /// The current batch, or a one-line error saying how to draw one.
    public func requireBatch() throws -> TwoViewBatch {
        guard let b = state.batch else { throw LabError("no batch yet: draw one with 'batch [N]'") }
        return b
    }

    /// Names that `inspect` accepts.
    func tensorNames() -> [String] {
        var names = ["x1", "x2", "z1", "z2", "u1", "u2", "t1", "t2", "F", "queue", "grad_z1", "grad_z2"]
        if let t = state.trainer {
            for p in t.model.parameters { names.append(p.name); names.append(p.name + ".grad") }
        }
        return names
    }
}
