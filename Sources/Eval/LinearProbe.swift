import Foundation
import TensorCore

/// The update rule of the linear probe.
public enum LinearProbeOptimizer: Sendable, Equatable {
    /// SGD with (PyTorch-style) momentum: `v ← μv + g`, `w ← w − η v`.
    case sgd
    /// SGD with momentum wrapped in LARC (You et al., "Large Batch Training of Convolutional
    /// Networks", 2017; NVIDIA apex `LARC`, `clip=False`), as in SimSiam's linear evaluation: per
    /// parameter tensor, when `‖w‖ ≠ 0` and `‖g‖ ≠ 0`,
    /// `g ← (g + wd·w) · trust·‖w‖ / (‖g‖ + wd·‖w‖ + 1e−8)`; otherwise `g` is left unscaled.
    /// Each step moves a tensor by about `η·trust` of its norm, so without weight decay the norm of
    /// `W` grows geometrically over a short schedule: accuracy stays good but logits (and the loss)
    /// become large. SimSiam uses `trust = 0.001`, `η = 1.6` over 90 ImageNet epochs.
    case lars(trustCoefficient: Double)
}

/// Hyper-parameters of the linear probe.
///
/// The defaults train a good 10-class probe on 60k × 256-d frozen features in seconds:
/// standardised features, batch 256, SGD momentum 0.9, `η = 0.1`, cosine decay over 30 epochs.
public struct LinearProbeConfiguration: Sendable, Equatable {
    /// Passes over the training set.
    public var epochs: Int
    /// Mini-batch size (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Base learning rate `η₀`; step `k` of `K` uses `η₀·½(1 + cos(πk/K))`.
    public var learningRate: Double
    /// Momentum `μ`.
    public var momentum: Double
    /// Weight decay on `W` (not on `b`).
    public var weightDecay: Double
    /// Plain SGD or LARC-wrapped SGD.
    public var optimizer: LinearProbeOptimizer
    /// Standardise each feature dimension with the training mean and standard deviation.
    public var standardizes: Bool
    /// Standard deviation of the `N(0, σ²)` weight initialisation.
    public var initStd: Double
    /// Seed of the initialisation and of the per-epoch shuffles.
    public var seed: UInt64

    /// A configuration; see the type's doc for the defaults.
    public init(epochs: Int = 30, batchSize: Int = 256, learningRate: Double = 0.1, momentum: Double = 0.9,
                weightDecay: Double = 0, optimizer: LinearProbeOptimizer = .sgd, standardizes: Bool = true,
                initStd: Double = 0.01, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.optimizer = optimizer
        self.standardizes = standardizes
        self.initStd = initStd
        self.seed = seed
    }
}

/// The outcome of a linear probe: accuracies, the loss curve and the trained classifier.
public struct LinearProbeResult<Scalar: BLASScalar>: Sendable, CustomStringConvertible {
    /// Top-1 accuracy on the training features.
    public var trainTop1: Double
    /// Top-1 accuracy on the test features.
    public var testTop1: Double
    /// Mean training loss of each epoch (over its mini-batches, before each update).
    public var epochLosses: [Double]
    /// The trained classifier, acting on standardised features when `standardization` is set.
    public var classifier: SoftmaxRegression<Scalar>
    /// Per-dimension `(mean, std)` applied before the classifier, if the probe standardised.
    public var standardization: (mean: [Scalar], std: [Scalar])?

    public var description: String {
        "linear probe: train top-1 \(percent(trainTop1)), test top-1 \(percent(testTop1)), "
            + "final loss \(formatScalar(epochLosses.last ?? .nan, precision: 4)) after \(epochLosses.count) epochs"
    }
}

/// Linear evaluation on frozen features: a softmax-regression classifier trained by mini-batch
/// SGD (or LARC) with cosine decay (SimSiam's protocol, Chen & He 2021; the UniGrad code's
/// `main_lincls.py`), reporting train and test top-1.
public enum LinearProbe {
    /// Trains a probe on `(trainFeatures, trainLabels)` and evaluates it on both sets.
    ///
    /// Deterministic for a given `configuration.seed`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func train<Scalar: BLASScalar>(
        trainFeatures: Tensor<Scalar>, trainLabels: [Int],
        testFeatures: Tensor<Scalar>, testLabels: [Int], classCount: Int,
        configuration cfg: LinearProbeConfiguration = .init()
    ) throws(EvalError) -> LinearProbeResult<Scalar> {
        try EvalValidation.matrix(trainFeatures, name: "train features")
        try EvalValidation.matrix(testFeatures, name: "test features", width: trainFeatures.columns)
        guard classCount >= 2 else {
            throw .invalidParameter(name: "classes", value: "\(classCount)", requirement: "≥ 2")
        }
        try EvalValidation.labels(trainLabels, rows: trainFeatures.rows, classCount: classCount, name: "train labels")
        try EvalValidation.labels(testLabels, rows: testFeatures.rows, classCount: classCount, name: "test labels")
        guard cfg.epochs >= 1 else { throw .invalidParameter(name: "epochs", value: "\(cfg.epochs)", requirement: "≥ 1") }
        guard cfg.batchSize >= 1 else {
            throw .invalidParameter(name: "batch", value: "\(cfg.batchSize)", requirement: "≥ 1")
        }
        guard cfg.learningRate > 0, cfg.learningRate.isFinite else {
            throw .invalidParameter(name: "lr", value: "\(cfg.learningRate)", requirement: "finite and > 0")
        }

        // Standardised a batch at a time (gathered rows, prediction chunks): a standardised copy
        // of the whole bank would double its memory (983 MB for 60k × 4096 features).
        let standardization = cfg.standardizes ? standardizationStatistics(trainFeatures) : nil

        let n = trainFeatures.rows, d = trainFeatures.columns
        var rng = RandomGenerator(seed: cfg.seed)
        var model = SoftmaxRegression<Scalar>(inputDimension: d, classCount: classCount,
                                              std: Scalar(cfg.initStd), using: &rng)
        var vW = Tensor<Scalar>.zeros([d, classCount])
        var vb = [Scalar](repeating: 0, count: classCount)
        let stepsPerEpoch = (n + cfg.batchSize - 1) / cfg.batchSize
        let totalSteps = stepsPerEpoch * cfg.epochs
        let mu = Scalar(cfg.momentum), wd = Scalar(cfg.weightDecay)
        var epochLosses = [Double]()
        var step = 0
        var xb = Tensor<Scalar>.zeros([cfg.batchSize, d])
        for _ in 0..<cfg.epochs {
            let order = rng.permutation(n)
            var lossSum = 0.0
            for s in 0..<stepsPerEpoch {
                let idx = order[(s * cfg.batchSize)..<Swift.min(n, (s + 1) * cfg.batchSize)]
                if xb.rows != idx.count { xb = .zeros([idx.count, d]) }
                gatherRows(trainFeatures, idx, into: &xb, standardizing: standardization)
                let yb = idx.map { trainLabels[$0] }
                let lr = Scalar(cfg.learningRate * 0.5 * (1 + cos(Double.pi * Double(step) / Double(totalSteps))))
                var (loss, gW, gb) = model.lossAndGradients(xb, labels: yb, weightDecay: 0)
                lossSum += loss
                if case let .lars(trust) = cfg.optimizer {
                    larcScale(&gW.scalars, parameter: model.weights.scalars, weightDecay: wd, trust: Scalar(trust))
                    larcScale(&gb, parameter: model.bias, weightDecay: 0, trust: Scalar(trust))
                }
                // SGD adds the decay to the gradient; LARC has already folded it in.
                let decay: Scalar = cfg.optimizer == .sgd ? wd : 0
                // v ← μv + g;  w ← w − η v
                momentumStep(&model.weights.scalars, velocity: &vW.scalars, gradient: gW.scalars,
                             lr: lr, momentum: mu, weightDecay: decay)
                momentumStep(&model.bias, velocity: &vb, gradient: gb, lr: lr, momentum: mu, weightDecay: 0)
                step += 1
            }
            epochLosses.append(lossSum / Double(stepsPerEpoch))
        }
        return LinearProbeResult(trainTop1: accuracy(predict(model, trainFeatures, standardization), trainLabels),
                                 testTop1: accuracy(predict(model, testFeatures, standardization), testLabels),
                                 epochLosses: epochLosses, classifier: model, standardization: standardization)
    }

    /// Per-dimension mean and (biased) standard deviation of an `(N, D)` matrix; a zero std is
    /// replaced by 1 so constant dimensions map to 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func standardizationStatistics<Scalar: BLASScalar>(_ x: Tensor<Scalar>) -> (mean: [Scalar], std: [Scalar]) {
        let n = x.rows, d = x.columns
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x.scalars[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { let c = Double(x.scalars[i * d + j]) - mean[j]; sq[j] += c * c } }
        let std = sq.map { v -> Scalar in let s = (v / Double(n)).squareRoot(); return s > 0 ? Scalar(s) : 1 }
        return (mean.map { Scalar($0) }, std)
    }

    /// `(x − mean) / std` per dimension.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func standardize<Scalar: BLASScalar>(_ x: Tensor<Scalar>,
                                                      _ s: (mean: [Scalar], std: [Scalar])) -> Tensor<Scalar> {
        precondition(x.columns == s.mean.count, "standardize: \(x.columns) columns, \(s.mean.count) statistics")
        var out = x
        let d = x.columns
        let inv = s.std.map { 1 / $0 }
        out.scalars.withUnsafeMutableBufferPointer { o in
            for i in 0..<x.rows { for j in 0..<d { o[i * d + j] = (o[i * d + j] - s.mean[j]) * inv[j] } }
        }
        return out
    }

    /// LARC (`clip=False`): `g ← (g + wd·w)·trust·‖w‖/(‖g‖ + wd‖w‖ + 1e−8)` when both norms are non-zero.
    static func larcScale<Scalar: BLASScalar>(_ g: inout [Scalar], parameter w: [Scalar], weightDecay wd: Scalar,
                                             trust: Scalar) {
        let wNorm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard wNorm != 0, gNorm != 0 else { return }
        let ratio = trust * wNorm / (gNorm + wd * wNorm + Scalar(1e-8))
        for i in g.indices { g[i] = (g[i] + wd * w[i]) * ratio }
    }


    /// `v ← μv + (g + wd·w)`, `w ← w − η v` (PyTorch SGD with momentum, no dampening).
    static func momentumStep<Scalar: BLASScalar>(_ w: inout [Scalar], velocity v: inout [Scalar], gradient g: [Scalar],
                                                lr: Scalar, momentum mu: Scalar, weightDecay wd: Scalar) {
        precondition(w.count == v.count && w.count == g.count, "momentumStep: \(w.count) weights, \(v.count) velocities, \(g.count) gradients")
        w.withUnsafeMutableBufferPointer { wp in
            v.withUnsafeMutableBufferPointer { vp in
                g.withUnsafeBufferPointer { gp in
                    for i in 0..<wp.count {
                        vp[i] = mu * vp[i] + gp[i] + wd * wp[i]
                        wp[i] -= lr * vp[i]
                    }
                }
            }
        }
    }

    /// Copies rows `indices` of `x` into the first rows of `out`.
    /// Rows `indices` of `x` into `out`, standardised by `s` (`(x − mean) / std`, as `standardize`)
    /// when given.
    static func gatherRows<Scalar: BLASScalar>(_ x: Tensor<Scalar>, _ indices: ArraySlice<Int>, into out: inout Tensor<Scalar>,
                                               standardizing s: (mean: [Scalar], std: [Scalar])? = nil) {
        let d = x.columns
        let inv = s?.std.map { 1 / $0 }
        x.scalars.withUnsafeBufferPointer { src in
            out.scalars.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    let row = dst.baseAddress! + r * d
                    row.update(from: src.baseAddress! + i * d, count: d)
                    if let s, let inv { for j in 0..<d { row[j] = (row[j] - s.mean[j]) * inv[j] } }
                }
            }
        }
    }

    /// The classifier's predictions for the rows of `x`, standardised by `s` when given, 4096 rows
    /// at a time.
    static func predict<Scalar: BLASScalar>(_ model: SoftmaxRegression<Scalar>, _ x: Tensor<Scalar>,
                                            _ s: (mean: [Scalar], std: [Scalar])?) -> [Int] {
        var predictions: [Int] = []
        predictions.reserveCapacity(x.rows)
        var start = 0
        while start < x.rows {
            let end = Swift.min(start + 4096, x.rows)
            let chunk = x.slicingRows(start..<end)
            predictions += model.predict(s.map { standardize(chunk, $0) } ?? chunk)
            start = end
        }
        return predictions
    }
    static func accuracy(_ predictions: [Int], _ labels: [Int]) -> Double {
        Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(Swift.max(labels.count, 1))
    }
}
