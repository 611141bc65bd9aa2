import Foundation
import TensorCore
import Data
import Eval
import Methods
import SSL

/// One evaluation of the encoder during a session (a point of the kNN and rank curves).
public struct EvaluationPoint: Equatable, Sendable {
    /// The training step at which it was taken.
    public var step: Int
    /// kNN top-1 accuracy in percent.
    public var knnTop1: Double
    /// `exp(H(σ̂))` of the test features' singular values (Roy & Vetterli, 2007).
    public var effectiveRank: Double
    /// Mean per-dimension std of the ℓ2-normalised features (1/√D when healthy, 0 at collapse).
    public var featureStd: Double
}

/// The model's view of the current batch: the Siamese outputs and the method's result with its
/// unified decomposition. Recomputed when the batch, the trainer or its step changes.
public struct BatchAnalysis {
    public var outputs: SiameseOutputs<Float>
    public var result: MethodResult<Float>
    /// Which (batch draw, trainer, step, settings) it was computed for.
    var key: String
}

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
    /// Layer-by-layer stepping: the next layer index and the current activation.
    public var traceCursor = 0
    public var traceActivation: Tensor<Float>?
    /// Outputs of every layer of the last whole forward pass, by name (`encoder.3`, `projector.6`).
    public var layerOutputs: [(name: String, output: Tensor<Float>)] = []
    /// The last analysis of the current batch.
    public var analysis: BatchAnalysis?
    /// Evaluations for the kNN and rank curves.
    public var evaluations: [EvaluationPoint] = []
    /// The feature singular values at the last evaluation.
    public var spectrum: [Double] = []
    /// The collapse report of the encoder's test features at the last evaluation.
    public var lastReport: CollapseReport?
    /// Snapshots taken before each `step`/`train` (most recent last) for `undo`.
    var undoStack: [TrainerSnapshot] = []
    /// Named snapshots (`snapshot NAME`, `restore NAME`).
    var namedSnapshots: [String: TrainerSnapshot] = [:]

    public init() {}

    /// Forgets everything built from the settings.
    func clear() {
        data = nil; dataSignature = ""
        trainer = nil; modelSignature = ""; trainerSignature = ""
        batch = nil; batchesDrawn = 0
        traceCursor = 0; traceActivation = nil; layerOutputs = []
        analysis = nil; evaluations = []; spectrum = []; lastReport = nil
        undoStack = []; namedSnapshots = [:]
    }
}

extension Session {
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
            state.analysis = nil
            return d
        } catch let e as TrainingError {
            throw LabError(e.description)
        }
    }

    /// The trainer (model, method, optimizer) of the current settings. The model, its optimizer
    /// state, the history and (for the same method) the method state are kept when only the
    /// method, its hyper-parameters or the optimisation settings change.
    @discardableResult
    public func ensureTrainer() throws -> Trainer {
        let d = try ensureData()
        let c = config
        let modelSignature = "\(c.encoder)|\(c.poolGrid)|\(c.projectorHidden)|\(c.projectorOutput)|\(c.predictorHidden)|\(c.target.rawValue)|\(c.seed)|\(d.train.channels)|\(d.train.height)"
        let trainerSignature = c.json() + "|" + state.dataSignature
        if let t = state.trainer, state.trainerSignature == trainerSignature { return t }
        do {
            let method = try RunFactory.method(c)
            let old = state.trainer
            let keepModel = old != nil && state.modelSignature == modelSignature
            let model: SiameseModel<Float>
            if keepModel, let old { model = old.model } else { model = try RunFactory.model(c, inputChannels: d.train.channels) }
            let t = Trainer(config: c, model: model, method: method,
                            stepsPerEpoch: max(1, d.train.count / c.batchSize))
            if keepModel, let old {
                t.step = old.step
                t.history = old.history
                t.optimizer.state = old.optimizer.state
                if old.method.name == method.name { t.methodState = old.methodState }
            } else {
                state.undoStack = []
                state.namedSnapshots = [:]
                state.evaluations = []
                state.spectrum = []
                state.traceCursor = 0
                state.traceActivation = nil
                state.layerOutputs = []
            }
            state.trainer = t
            state.modelSignature = modelSignature
            state.trainerSignature = trainerSignature
            state.analysis = nil
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

    /// The current batch through the model and the method (with its decomposition), cached.
    public func analyzeBatch() throws -> BatchAnalysis {
        let b = try requireBatch()
        let t = try ensureTrainer()
        let key = "\(state.batchesDrawn)|\(ObjectIdentifier(t))|\(t.step)|\(state.trainerSignature)"
        if let a = state.analysis, a.key == key { return a }
        let out = t.model.forward(b.view1, b.view2)
        let result = t.evaluateMethod(out, decompose: true)
        let a = BatchAnalysis(outputs: out, result: result, key: key)
        state.analysis = a
        return a
    }

    /// Names that `inspect` accepts.
    func tensorNames() -> [String] {
        var names = ["x1", "x2", "z1", "z2", "u1", "u2", "t1", "t2", "p1", "p2", "F", "queue", "W", "grad_z1", "grad_z2"]
        names += state.layerOutputs.map(\.name)
        if let t = state.trainer {
            for p in t.model.parameters { names.append(p.name); names.append(p.name + ".grad") }
            for p in (t.model.momentumEncoder?.parameters ?? []) + (t.model.momentumProjector?.parameters ?? []) { names.append(p.name) }
        }
        return names
    }
}
