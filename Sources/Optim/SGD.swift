import TensorCore
import Layers

/// Stochastic gradient descent with momentum and (coupled) weight decay, as `torch.optim.SGD`.
///
/// For each parameter `θ` with gradient `g`:
/// `d = g + wd·θ` (weight decay only where `applyWeightDecay(θ)`),
/// `b ← μ·b + d` (the first step sets `b = d`), `θ ← θ − lr·b`.
///
/// Reference: Sutskever et al., "On the importance of initialization and momentum in deep
/// learning", ICML 2013; PyTorch's formulation (dampening 0, no Nesterov).
public final class SGD<Scalar: BLASScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    /// Momentum coefficient `μ`.
    public var momentum: Scalar
    /// Weight-decay coefficient `wd` (L2 penalty `wd/2·‖θ‖²` added to the loss).
    public var weightDecay: Scalar
    /// Whether decay applies to biases and batch-norm parameters too (PyTorch's default: yes).
    public var decayAllParameters: Bool
    private var buffers: MomentumBuffers<Scalar>

    /// - Parameters:
    ///   - decayAllParameters: `true` decays every parameter (as `torch.optim.SGD` with one
    ///     group, the official UniGrad code); `false` only those with `isWeight`.
    public init(parameters: [Parameter<Scalar>], momentum: Scalar = 0.9, weightDecay: Scalar = 1e-4,
                decayAllParameters: Bool = true) {
        precondition(momentum >= 0 && momentum < 1, "SGD momentum must be in [0, 1), got \(momentum)")
        precondition(weightDecay >= 0, "SGD weight decay must be ≥ 0, got \(weightDecay)")
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.decayAllParameters = decayAllParameters
        self.buffers = MomentumBuffers(count: parameters.count)
    }

    public func step(learningRate lr: Scalar) {
        for (i, p) in parameters.enumerated() {
            let wd = (decayAllParameters || p.isWeight) ? weightDecay : 0
            buffers.update(p, at: i, weightDecay: wd, scale: 1, momentum: momentum, learningRate: lr)
        }
    }

    public var state: [String: Tensor<Scalar>] {
        get { buffers.state(names: parameters) }
        set { buffers.restore(newValue, names: parameters) }
    }
}
