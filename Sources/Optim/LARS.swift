import TensorCore
import Layers

/// Layer-wise adaptive rate scaling on top of SGD with momentum, in the LARC form that the
/// official linear evaluation uses (`apex.parallel.LARC`, trust coefficient 0.001, no clipping).
///
/// For each parameter `θ` with gradient `g` (weight decay folded in first, as LARC does):
/// `d = g + wd·θ`, local rate `η = trust·‖θ‖ / (‖g‖ + wd·‖θ‖ + 1e−8)` (1 when either norm is 0),
/// `d ← η·d`; then SGD with momentum: `b ← μ·b + d`, `θ ← θ − lr·b`.
/// Parameters without `isWeight` (biases, BN) are neither scaled nor decayed when
/// `excludeBiasAndNorm` is set (as in the SimSiam/Barlow Twins LARS).
///
/// Reference: You, Gitman & Ginsburg, "Large Batch Training of Convolutional Networks", 2017.
public final class LARS<Scalar: BLASScalar>: Optimizer {
    public let parameters: [Parameter<Scalar>]
    public var momentum: Scalar
    public var weightDecay: Scalar
    /// The trust coefficient (0.001 in the official code).
    public var trustCoefficient: Scalar
    /// Skip adaptation and decay for parameters whose `isWeight` is false.
    public var excludeBiasAndNorm: Bool
    private var buffers: MomentumBuffers<Scalar>

    public init(parameters: [Parameter<Scalar>], momentum: Scalar = 0.9, weightDecay: Scalar = 0,
                trustCoefficient: Scalar = 0.001, excludeBiasAndNorm: Bool = false) {
        precondition(momentum >= 0 && momentum < 1, "LARS momentum must be in [0, 1), got \(momentum)")
        precondition(weightDecay >= 0 && trustCoefficient > 0,
                     "LARS needs weight decay ≥ 0 and trust > 0, got \(weightDecay), \(trustCoefficient)")
        self.parameters = parameters
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.trustCoefficient = trustCoefficient
        self.excludeBiasAndNorm = excludeBiasAndNorm
        self.buffers = MomentumBuffers(count: parameters.count)
    }

    /// The local learning-rate multiplier `η` for one parameter.
    public func localRate(value: Tensor<Scalar>, grad: Tensor<Scalar>, weightDecay wd: Scalar) -> Scalar {
        let pn = value.norm(), gn = grad.norm()
        guard pn > 0 && gn > 0 else { return 1 }
        return trustCoefficient * pn / (gn + wd * pn + Scalar(1e-8))
    }

    public func step(learningRate lr: Scalar) {
        for (i, p) in parameters.enumerated() {
            let adapt = !(excludeBiasAndNorm && !p.isWeight)
            let wd = adapt ? weightDecay : 0
            let eta = adapt ? localRate(value: p.value, grad: p.grad, weightDecay: wd) : 1
            buffers.update(p, at: i, weightDecay: wd, scale: eta, momentum: momentum, learningRate: lr)
        }
    }

    public var state: [String: Tensor<Scalar>] {
        get { buffers.state(names: parameters) }
        set { buffers.restore(newValue, names: parameters) }
    }
}
