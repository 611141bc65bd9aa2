import Foundation
import Testing
import TensorCore
import GradCheck
@testable import Eval

/// `n` samples of `classes` Gaussian blobs with centres `separation·e_c` in `d` dimensions.
private func blobs<T: BLASScalar>(_ n: Int, d: Int, classes: Int, separation: Double,
                                  using rng: inout RandomGenerator) -> (Tensor<T>, [Int]) {
    var x = Tensor<T>.randomNormal([n, d], using: &rng)
    let labels = (0..<n).map { _ in rng.nextInt(below: classes) }
    for i in 0..<n { x[i, labels[i]] += T(separation) }
    return (x, labels)
}

@Suite struct LinearProbeTests {
    @Test func softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 21)
        let x = Tensor<Double>.randomNormal([7, 5], using: &rng)
        let labels = [0, 3, 1, 1, 2, 3, 0]
        let model = SoftmaxRegression<Double>(weights: .randomNormal([5, 4], using: &rng),
                                              bias: (0..<4).map { _ in rng.nextNormal() })
        let wd = 0.03
        let (_, gW, gb) = model.lossAndGradients(x, labels: labels, weightDecay: wd)
        let reportW = FiniteDifferences.check(analytic: gW, of: { w in
            SoftmaxRegression(weights: w, bias: model.bias).loss(x, labels: labels, weightDecay: wd)
        }, at: model.weights)
        #expect(reportW.passes(1e-6), "\(reportW)")
        let reportB = FiniteDifferences.check(analytic: Tensor(shape: [4], scalars: gb), of: { b in
            SoftmaxRegression(weights: model.weights, bias: b.scalars).loss(x, labels: labels, weightDecay: wd)
        }, at: Tensor(shape: [4], scalars: model.bias))
        #expect(reportB.passes(1e-6), "\(reportB)")
    }

    @Test func lossOfUniformLogitsIsLogC() {
        let model = SoftmaxRegression<Double>(weights: .zeros([3, 5]), bias: [0, 0, 0, 0, 0])
        let x = Tensor<Double>(rows: [[1, 2, 3], [-1, 0, 4]])
        #expect(abs(model.loss(x, labels: [0, 4]) - log(5.0)) < 1e-14)
        // Huge logits must not overflow: a confident correct prediction has loss ≈ 0.
        let big = SoftmaxRegression<Float>(weights: Tensor(rows: [[1000, -1000]]), bias: [0, 0])
        let l = big.loss(Tensor(rows: [[1]]), labels: [0])
        #expect(l.isFinite && l < 1e-6)
        #expect(abs(big.loss(Tensor(rows: [[1]]), labels: [1]) - 2000) < 1e-3)
    }

    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func separableDataReachesFullAccuracy(_ type: any BLASScalar.Type) throws {
        func run<T: BLASScalar>(_: T.Type) throws {
            var rng = RandomGenerator(seed: 4)
            let (xTrain, yTrain): (Tensor<T>, [Int]) = blobs(600, d: 8, classes: 4, separation: 12, using: &rng)
            let (xTest, yTest): (Tensor<T>, [Int]) = blobs(200, d: 8, classes: 4, separation: 12, using: &rng)
            let result = try LinearProbe.train(trainFeatures: xTrain, trainLabels: yTrain, testFeatures: xTest,
                                               testLabels: yTest, classCount: 4,
                                               configuration: .init(epochs: 10, batchSize: 64))
            #expect(result.trainTop1 == 1.0)
            #expect(result.testTop1 == 1.0)
            #expect(result.epochLosses.count == 10)
            #expect(result.epochLosses.last! < 0.1 * result.epochLosses.first!)
        }
        try run(type)
    }

    /// LARC moves each tensor by about `lr·trust` of its norm per step, so a short run needs a larger
    /// trust coefficient than SimSiam's 0.001 (tuned for 90 ImageNet epochs).
    @Test func larsOptionAlsoSeparates() throws {
        var rng = RandomGenerator(seed: 6)
        let (xTrain, yTrain): (Tensor<Float>, [Int]) = blobs(600, d: 8, classes: 4, separation: 12, using: &rng)
        let (xTest, yTest): (Tensor<Float>, [Int]) = blobs(200, d: 8, classes: 4, separation: 12, using: &rng)
        let result = try LinearProbe.train(
            trainFeatures: xTrain, trainLabels: yTrain, testFeatures: xTest, testLabels: yTest, classCount: 4,
            configuration: .init(epochs: 20, batchSize: 64, learningRate: 1.6, optimizer: .lars(trustCoefficient: 0.02)))
        #expect(result.trainTop1 == 1.0)
        #expect(result.testTop1 == 1.0)
    }

    @Test func larcScalesByTheTrustRatio() {
        // ‖w‖ = 5, ‖g‖ = 2, wd = 0.1: ratio = 0.001·5/(2 + 0.5 + 1e-8); g ← (g + 0.1w)·ratio.
        var g: [Double] = [2, 0]
        LinearProbe.larcScale(&g, parameter: [3, 4], weightDecay: 0.1, trust: 0.001)
        let ratio = 0.005 / (2.5 + 1e-8)
        #expect(abs(g[0] - 2.3 * ratio) < 1e-15 && abs(g[1] - 0.4 * ratio) < 1e-15)
        // A zero parameter (the bias at init) is left unscaled.
        var gb: [Double] = [1, -1]
        LinearProbe.larcScale(&gb, parameter: [0, 0], weightDecay: 0.1, trust: 0.001)
        #expect(gb == [1, -1])
    }

    @Test func seededRunsAreIdenticalAndSeedsMatter() throws {
        var rng = RandomGenerator(seed: 8)
        let (x, y): (Tensor<Float>, [Int]) = blobs(300, d: 6, classes: 3, separation: 1, using: &rng)
        func probe(_ seed: UInt64) throws -> LinearProbeResult<Float> {
            try LinearProbe.train(trainFeatures: x, trainLabels: y, testFeatures: x, testLabels: y, classCount: 3,
                                  configuration: .init(epochs: 3, batchSize: 32, seed: seed))
        }
        let a = try probe(1), b = try probe(1), c = try probe(2)
        #expect(a.classifier == b.classifier && a.epochLosses == b.epochLosses)
        #expect(a.classifier != c.classifier)
    }

    @Test func standardizationUsesTrainStatistics() {
        let x = Tensor<Double>(rows: [[1, 5, 7], [3, 5, 7], [5, 5, 10]])
        let s = LinearProbe.standardizationStatistics(x)
        #expect(s.mean == [3, 5, 8])
        #expect(abs(s.std[0] - (8.0 / 3).squareRoot()) < 1e-14)
        #expect(s.std[1] == 1)      // constant column: std replaced by 1
        let z = LinearProbe.standardize(x, s)
        #expect(abs(z[0, 0] + (1.5).squareRoot()) < 1e-14 && z[1, 1] == 0)
    }

    /// The probe standardises a batch at a time; that must equal standardising the whole set first.
    @Test func batchwiseStandardizationEqualsStandardizingFirst() throws {
        var rng = RandomGenerator(seed: 9)
        var (x, y): (Tensor<Float>, [Int]) = blobs(300, d: 6, classes: 3, separation: 2, using: &rng)
        for i in 0..<x.rows { x[i, 1] = x[i, 1] * 40 + 7; x[i, 4] = 3 }   // scaled and constant columns
        let (t, ty): (Tensor<Float>, [Int]) = blobs(90, d: 6, classes: 3, separation: 2, using: &rng)
        let s = LinearProbe.standardizationStatistics(x)
        let batchwise = try LinearProbe.train(trainFeatures: x, trainLabels: y, testFeatures: t, testLabels: ty, classCount: 3,
                                              configuration: .init(epochs: 4, batchSize: 32, standardizes: true, seed: 3))
        let first = try LinearProbe.train(trainFeatures: LinearProbe.standardize(x, s), trainLabels: y,
                                          testFeatures: LinearProbe.standardize(t, s), testLabels: ty, classCount: 3,
                                          configuration: .init(epochs: 4, batchSize: 32, standardizes: false, seed: 3))
        #expect(batchwise.classifier == first.classifier)
        #expect(batchwise.epochLosses == first.epochLosses)
        #expect(batchwise.trainTop1 == first.trainTop1 && batchwise.testTop1 == first.testTop1)
        #expect(batchwise.trainTop1 > 0.8)   // it learns (chance: 0.33)
    }

    @Test func badInputIsATypedError() {
        let x = Tensor<Float>(rows: [[1, 0], [0, 1]])
        #expect(throws: EvalError.dimensionMismatch(name: "test features", expected: 2, actual: 1)) {
            try LinearProbe.train(trainFeatures: x, trainLabels: [0, 1], testFeatures: Tensor(rows: [[1]]),
                                  testLabels: [0], classCount: 2)
        }
        #expect(throws: EvalError.invalidParameter(name: "epochs", value: "0", requirement: "≥ 1")) {
            try LinearProbe.train(trainFeatures: x, trainLabels: [0, 1], testFeatures: x, testLabels: [0, 1],
                                  classCount: 2, configuration: .init(epochs: 0))
        }
        #expect(throws: EvalError.labelOutOfRange(name: "train labels", index: 0, label: -1, classCount: 2)) {
            try LinearProbe.train(trainFeatures: x, trainLabels: [-1, 1], testFeatures: x, testLabels: [0, 1], classCount: 2)
        }
    }
}

@Suite struct LinearProbeStepTests {
    @Test func momentumStepMatchesPyTorchSGD() {
        // v = 0.9·1 + (0.5 + 0.1·2) = 1.6;  w = 2 − 0.1·1.6 = 1.84
        var w: [Double] = [2], v: [Double] = [1]
        LinearProbe.momentumStep(&w, velocity: &v, gradient: [0.5], lr: 0.1, momentum: 0.9, weightDecay: 0.1)
        #expect(abs(v[0] - 1.6) < 1e-15 && abs(w[0] - 1.84) < 1e-15)
    }

    @Test func gatherRowsCopiesTheRequestedRows() {
        let x = Tensor<Float>(rows: [[0, 1], [2, 3], [4, 5]])
        var out = Tensor<Float>.zeros([2, 2])
        LinearProbe.gatherRows(x, [2, 0][...], into: &out)
        #expect(out == Tensor(rows: [[4, 5], [0, 1]]))
        // Standardising while gathering: mean (2, 3), std √(8/3) in both columns.
        LinearProbe.gatherRows(x, [2, 0][...], into: &out, standardizing: LinearProbe.standardizationStatistics(x))
        let z = Float((1.5).squareRoot())
        #expect(abs(out[0, 0] - z) < 1e-6 && abs(out[0, 1] - z) < 1e-6)
        #expect(abs(out[1, 0] + z) < 1e-6 && abs(out[1, 1] + z) < 1e-6)
    }
}
