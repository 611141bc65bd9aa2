import Foundation
import TensorCore

/// One softmax-regression classifier trained a mini-batch at a time, for callers that produce
/// the features of each batch themselves (e.g. from augmented images through a frozen encoder).
///
/// One step on a batch `(x, y)` with learning rate `η` (the arithmetic of `LinearProbe`):
///
///     (L, g_W, g_b) = softmax cross-entropy and its gradients (SoftmaxRegression)
///     LARC (optional), per tensor, when ‖w‖ ≠ 0 and ‖g‖ ≠ 0:
///         g ← (g + wd·w) · trust·‖w‖ / (‖g‖ + wd·‖w‖ + 1e−8)
///     v ← μ v + g (+ wd·w for plain SGD),   w ← w − η v
///
/// Reference: SimSiam's linear evaluation (Chen & He, CVPR 2021, `main_lincls.py`: SGD in LARC,
/// trust 0.001, no clipping); You, Gitman & Ginsburg, "Large Batch Training of Convolutional
/// Networks", 2017.
public struct LinearClassifierTrainer<Scalar: BLASScalar>: Sendable {
    /// The classifier being trained.
    public var classifier: SoftmaxRegression<Scalar>
    /// Momentum, weight decay and update rule (`epochs`, `batchSize`, `learningRate` are the caller's).
    public let configuration: LinearProbeConfiguration
    var velocityW: Tensor<Scalar>
    var velocityB: [Scalar]

    /// A classifier with weights `N(0, initStd²)` drawn from `configuration.seed`, zero bias.
    public init(inputDimension d: Int, classCount c: Int, configuration: LinearProbeConfiguration) {
        precondition(d >= 1 && c >= 2, "LinearClassifierTrainer needs ≥ 1 input and ≥ 2 classes, got \(d), \(c)")
        var rng = RandomGenerator(seed: configuration.seed)
        classifier = SoftmaxRegression(inputDimension: d, classCount: c, std: Scalar(configuration.initStd), using: &rng)
        self.configuration = configuration
        velocityW = .zeros([d, c])
        velocityB = [Scalar](repeating: 0, count: c)
    }

    /// One update on the batch `x` `(B, D)` with `labels`; returns the batch's mean loss and the
    /// number of rows the classifier got right *before* the update.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func step(_ x: Tensor<Scalar>, labels: [Int], learningRate lr: Scalar) -> (loss: Double, correct: Int) {
        precondition(x.rank == 2 && x.columns == classifier.inputDimension && labels.count == x.rows,
                     "LinearClassifierTrainer.step: features \(x.shape), \(labels.count) labels, classifier input \(classifier.inputDimension)")
        let correct = zip(classifier.predict(x), labels).filter { $0 == $1 }.count
        var (loss, gW, gb) = classifier.lossAndGradients(x, labels: labels, weightDecay: 0)
        let mu = Scalar(configuration.momentum), wd = Scalar(configuration.weightDecay)
        if case let .lars(trust) = configuration.optimizer {
            LinearProbe.larcScale(&gW.scalars, parameter: classifier.weights.scalars, weightDecay: wd, trust: Scalar(trust))
            LinearProbe.larcScale(&gb, parameter: classifier.bias, weightDecay: 0, trust: Scalar(trust))
        }
        // SGD adds the decay to the gradient; LARC has already folded it in.
        let decay: Scalar = configuration.optimizer == .sgd ? wd : 0
        LinearProbe.momentumStep(&classifier.weights.scalars, velocity: &velocityW.scalars, gradient: gW.scalars,
                                 lr: lr, momentum: mu, weightDecay: decay)
        LinearProbe.momentumStep(&classifier.bias, velocity: &velocityB, gradient: gb, lr: lr, momentum: mu, weightDecay: 0)
        return (loss, correct)
    }
}
