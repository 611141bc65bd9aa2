import TensorCore
import Layers
import Methods

/// Everything needed to continue a run exactly: every named parameter and buffer (online and
/// momentum branches), the optimizer's buffers, the method's state (`F`, queue, predictor), the
/// step and the step history. Batches depend only on `(seed, epoch, index)`, so no data-loader
/// state is needed. Used in memory by the shell's `undo` and on disk by checkpoints.
public struct TrainerSnapshot {
    /// Named tensors: `encoder.0.weight`, `momentum_encoder.…`, `optimizer.<name>.momentum_buffer`,
    /// `method.F`, `method.queue`, `method.W`.
    public var tensors: [String: Tensor<Float>]
    public var step: Int
    public var methodStep: Int
    public var history: [StepRecord]

    public init(tensors: [String: Tensor<Float>], step: Int, methodStep: Int, history: [StepRecord]) {
        self.tensors = tensors
        self.step = step
        self.methodStep = methodStep
        self.history = history
    }
}

extension Trainer {
    /// The parameters and buffers of every branch, by name.
    var namedState: [Parameter<Float>] {
        var all = model.encoder.namedTensors.map(\.parameter) + model.projector.namedTensors.map(\.parameter)
        if let p = model.predictor { all += p.namedTensors.map(\.parameter) }
        if let fm = model.momentumEncoder, let gm = model.momentumProjector {
            all += fm.namedTensors.map(\.parameter) + gm.namedTensors.map(\.parameter)
        }
        return all
    }

    /// The current state as a snapshot (values are copied: later steps do not change it).
    public func snapshot() -> TrainerSnapshot {
        var tensors: [String: Tensor<Float>] = [:]
        for p in namedState { tensors[p.name] = p.value }
        for (k, v) in optimizer.state { tensors["optimizer." + k] = v }
        if let F = methodState.correlation { tensors["method.F"] = F }
        if let q = methodState.queue { tensors["method.queue"] = q }
        if let W = methodState.predictor { tensors["method.W"] = W }
        return TrainerSnapshot(tensors: tensors, step: step, methodStep: methodState.step, history: history)
    }

    /// Restores a snapshot taken from a trainer of the same configuration.
    /// Throws when a tensor is missing or has another shape (e.g. a checkpoint of another model).
    public func restore(_ s: TrainerSnapshot) throws {
        for p in namedState {
            guard let v = s.tensors[p.name] else {
                throw TrainingError.checkpoint("the checkpoint has no tensor '\(p.name)' (another architecture or target branch?)")
            }
            guard v.shape == p.value.shape else {
                throw TrainingError.checkpoint("tensor '\(p.name)' has shape \(v.shape) in the checkpoint, \(p.value.shape) in the model")
            }
            p.value = v
        }
        var optimizerState: [String: Tensor<Float>] = [:]
        for (k, v) in s.tensors where k.hasPrefix("optimizer.") { optimizerState[String(k.dropFirst(10))] = v }
        let names = Dictionary(uniqueKeysWithValues: optimizer.parameters.map { ($0.name, $0.value.shape) })
        for (k, v) in optimizerState {
            let param = String(k.dropLast(".momentum_buffer".count))
            guard names[param] == v.shape else {
                throw TrainingError.checkpoint("optimizer buffer '\(k)' does not match a parameter of the model")
            }
        }
        optimizer.state = optimizerState
        methodState.correlation = s.tensors["method.F"]
        methodState.queue = s.tensors["method.queue"]
        methodState.predictor = s.tensors["method.W"]
        methodState.step = s.methodStep
        step = s.step
        history = s.history
    }
}
