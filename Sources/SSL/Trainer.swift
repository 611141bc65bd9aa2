import Foundation
import TensorCore
import Layers
import Optim
import Methods
import Distributed

/// The training loop shared by every method and target branch:
/// forward both views → the method's gradient on the features → backward through predictor,
/// projector and encoder → optimizer step → momentum update → method state update (queue, `F`).
///
/// Learning rate: `WarmupCosineSchedule` (official formula); momentum: `MomentumSchedule`.
/// Reference: Tao et al., CVPR 2022, official `pretrainer.py` (paper.md §4 and §6).
public final class Trainer {
    public let config: TrainingConfig
    public let model: SiameseModel<Float>
    public let method: any SSLMethod<Float>
    public var methodState: MethodState<Float>
    public let optimizer: any Optimizer<Float>
    public let schedule: WarmupCosineSchedule
    public let momentumSchedule: MomentumSchedule
    public let stepsPerEpoch: Int
    /// Steps taken so far (the next step's index).
    public var step = 0
    /// Every step's record, in order.
    public var history: [StepRecord] = []
    /// The last method result (for inspection in the shell).
    public private(set) var lastResult: MethodResult<Float>?
    public private(set) var lastOutputs: SiameseOutputs<Float>?
    /// The data-parallel group (one process unless started by `mpirun`); see ``DataParallel``.
    public let communicator: any Communicator

    /// - Parameter communicator: with more than one rank, `model` gets SyncBN, rank 0's parameters
    ///   and buffers are copied to every rank, and each step is data-parallel (``DataParallel``).
    public init(config: TrainingConfig, model: SiameseModel<Float>, method: any SSLMethod<Float>,
                stepsPerEpoch: Int,
                communicator: any Communicator = SingleProcessCommunicator()) {
        precondition(stepsPerEpoch > 0, "stepsPerEpoch must be positive, got \(stepsPerEpoch)")
        self.config = config
        self.model = model
        self.method = method
        self.stepsPerEpoch = stepsPerEpoch
        self.communicator = communicator
        DataParallel.synchronizeBatchNorm(model, communicator)
        DataParallel.broadcastFromRoot(DataParallel.state(model), communicator)
        let queueSize = method.parameters.entries.first { $0.key == "queue_size" }?.value ?? 4096
        methodState = MethodState(queueCapacity: max(1, Int(queueSize)))
        let total = max(1, stepsPerEpoch * config.epochs)
        schedule = WarmupCosineSchedule(
            peak: WarmupCosineSchedule.scaledLearningRate(base: config.baseLR, batchSize: config.batchSize),
            warmupSteps: Int((config.warmupEpochs * Double(stepsPerEpoch)).rounded()), totalSteps: total)
        momentumSchedule = MomentumSchedule(base: config.baseMomentum, totalSteps: total)
        let params = model.parameters
        switch config.optimizer {
        case "lars":
            optimizer = LARS(parameters: params, momentum: Float(config.sgdMomentum),
                             weightDecay: Float(config.weightDecay), excludeBiasAndNorm: true)
        default:
            optimizer = SGD(parameters: params, momentum: Float(config.sgdMomentum),
                            weightDecay: Float(config.weightDecay))
        }
    }

    /// The total number of steps of the run.
    public var totalSteps: Int {
        config.maxSteps > 0 ? min(config.maxSteps, schedule.totalSteps) : schedule.totalSteps
    }

    /// The method's result on two views with the configured target branch (no parameter update).
    /// - Parameter decompose: also compute the unified decomposition (for inspection; training
    ///   skips it except for `momentum-positive`, which is built from it).
    public func evaluateMethod(_ out: SiameseOutputs<Float>, decompose: Bool = false) -> MethodResult<Float> {
        switch config.target {
        case .stopgrad:
            // With a predictor the stop-gradient targets are the projector outputs (SimSiam);
            // without one they equal the online outputs, which is the methods' default.
            let targets = model.predictor == nil ? MethodTargets<Float>.none : MethodTargets(z1t: out.p1, z2t: out.p2)
            return method.evaluate(z1: out.z1, z2: out.z2, targets: targets, state: methodState, decompose: decompose)
        case .momentum:
            return method.evaluate(z1: out.z1, z2: out.z2, targets: MethodTargets(z1t: out.z1m, z2t: out.z2m),
                                   state: methodState, decompose: decompose)
        case .momentumPositive:
            return momentumPositiveResult(out)
        }
    }

    /// `momentum-positive` (paper Table 2): the positive term from the momentum targets, the
    /// negative term, λ and the state from the detached online branch. Uses the unified
    /// decomposition: `∂L/∂u = positive(momentum) + λ·negative(online) + residual(online)`.
    func momentumPositiveResult(_ out: SiameseOutputs<Float>) -> MethodResult<Float> {
        let onlineTargets = model.predictor == nil ? MethodTargets<Float>.none : MethodTargets(z1t: out.p1, z2t: out.p2)
        let withMomentum = method.evaluate(z1: out.z1, z2: out.z2, targets: MethodTargets(z1t: out.z1m, z2t: out.z2m),
                                           state: methodState)
        var result = method.evaluate(z1: out.z1, z2: out.z2, targets: onlineTargets, state: methodState)
        let z = [out.z1, out.z2]
        var grads: [Tensor<Float>] = []
        for v in 0..<2 {
            var view = result.views[v]
            view.positive = withMomentum.views[v].positive
            let gradU = view.reconstruction()
            view.gradient = gradU
            result.views[v] = view
            let (u, norms) = z[v].l2NormalizedRowsWithNorms()
            grads.append(Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: gradU))
        }
        result.gradZ1 = grads[0]
        result.gradZ2 = grads[1]
        return result
    }

    /// One training step on two augmented views `x1`, `x2` (N, C, H, W).
    @discardableResult
    public func trainStep(_ x1: Tensor<Float>, _ x2: Tensor<Float>, dataSeconds: Double = 0) throws -> StepRecord {
        let start = Date()
        model.setTraining(true)
        // Data-parallel: the method sees the global batch (every rank's rows); see `DataParallel`.
        let out = DataParallel.gathered(model.forward(x1, x2), communicator)
        let result = evaluateMethod(out)
        for t in result.terms where !Double(t.value).isFinite {
            throw TrainingError.nonFiniteLoss(step: step, term: t.name, value: "\(t.value)")
        }
        if !Double(result.loss).isFinite {
            throw TrainingError.nonFiniteLoss(step: step, term: "total", value: "\(result.loss)")
        }
        optimizer.zeroGrad()
        model.backward(gradZ1: communicator.localRows(result.gradZ1), gradZ2: communicator.localRows(result.gradZ2))
        DataParallel.allReduceGradients(model.parameters, communicator)
        let lr = schedule.learningRate(atStep: step)
        optimizer.step(learningRate: Float(lr))
        let m = config.target.usesMomentumEncoder ? momentumSchedule.momentum(atStep: step) : 0
        model.updateMomentumBranch(momentum: Float(m))
        methodState = result.nextState
        lastResult = result
        lastOutputs = out
        let seconds = Date().timeIntervalSince(start)
        let record = StepRecord(
            step: step, epoch: step / stepsPerEpoch, loss: Double(result.loss),
            terms: Dictionary(result.terms.map { ($0.name, Double($0.value)) }, uniquingKeysWith: { a, _ in a }),
            positiveSimilarity: Self.positiveSimilarity(out, target: config.target, hasPredictor: model.predictor != nil),
            learningRate: lr, momentum: m, seconds: seconds, dataSeconds: dataSeconds,
            imagesPerSecond: Double(out.z1.rows) / max(seconds + dataSeconds, 1e-9))
        history.append(record)
        step += 1
        return record
    }

    /// `½ mean_b (u1_b·t2_b + u2_b·t1_b)`: how close each view is to the other view's target.
    public static func positiveSimilarity(_ out: SiameseOutputs<Float>, target: TargetBranch, hasPredictor: Bool) -> Double {
        let u1 = out.z1.l2NormalizedRows(), u2 = out.z2.l2NormalizedRows()
        let t1 = (out.z1m ?? (hasPredictor ? out.p1 : out.z1)).l2NormalizedRows()
        let t2 = (out.z2m ?? (hasPredictor ? out.p2 : out.z2)).l2NormalizedRows()
        return Double(u1.dot(t2) + u2.dot(t1)) / Double(2 * max(out.z1.rows, 1))
    }
}
