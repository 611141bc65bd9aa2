import GradCheck
import Layers
import TensorCore
import Testing

@Suite struct BatchNormTests {
    /// BN with non-trivial γ, β and running statistics, so that every term of the gradient matters.
    static func randomize<L: Layer<Double>>(_ bn: L, using rng: inout RandomGenerator) {
        for p in bn.parameters { p.value = .randomNormal(p.value.shape, mean: 0.5, std: 0.5, using: &rng) }
        bn.buffers[0].value = .randomNormal(bn.buffers[0].value.shape, std: 0.3, using: &rng)
        bn.buffers[1].value = .randomUniform(bn.buffers[1].value.shape, low: 0.5, high: 2, using: &rng)
    }

    @Test(arguments: [true, false])
    func batchNorm2dGradientsMatchFiniteDifferences(training: Bool) {
        var rng = RandomGenerator(seed: 21)
        let bn = BatchNorm2d<Double>(3)
        Self.randomize(bn, using: &rng)
        bn.isTraining = training
        let x = Tensor<Double>.randomNormal([2, 3, 3, 2], mean: 1, std: 2, using: &rng)
        let check = LayerGradCheck(bn, at: x)
        #expect(check.reports.map(\.label) == ["weight", "bias"].reduce(into: ["input"]) { $0.append($1) })
        #expect(check.passes(), "\(check.description)")
    }

    @Test(arguments: [true, false])
    func batchNorm1dGradientsMatchFiniteDifferences(training: Bool) {
        var rng = RandomGenerator(seed: 22)
        let bn = BatchNorm1d<Double>(4)
        Self.randomize(bn, using: &rng)
        bn.isTraining = training
        let x = Tensor<Double>.randomNormal([5, 4], mean: -1, std: 3, using: &rng)
        let check = LayerGradCheck(bn, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    @Test func trainingForwardNormalisesAndUpdatesRunningStatistics() {
        var rng = RandomGenerator(seed: 23)
        let bn = BatchNorm2d<Double>(2)
        let x = Tensor<Double>.randomNormal([4, 2, 3, 3], mean: 2, std: 3, using: &rng)
        let y = bn.forward(x)
        let M = 4 * 9
        for c in 0..<2 {
            var values: [Double] = []
            var outs: [Double] = []
            for n in 0..<4 { for h in 0..<3 { for w in 0..<3 { values.append(x[n, c, h, w]); outs.append(y[n, c, h, w]) } } }
            let mean = values.reduce(0, +) / Double(M)
            let biased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(M)
            // γ = 1, β = 0: zero mean, unit (biased) variance up to ε.
            #expect(abs(outs.reduce(0, +) / Double(M)) < 1e-12)
            let outVar = outs.map { $0 * $0 }.reduce(0, +) / Double(M)
            #expect(abs(outVar - biased / (biased + 1e-5)) < 1e-12)
            // r_μ = 0.9·0 + 0.1·μ,  r_σ² = 0.9·1 + 0.1·σ²·M/(M−1).
            #expect(abs(bn.runningMean.value.scalars[c] - 0.1 * mean) < 1e-12)
            #expect(abs(bn.runningVar.value.scalars[c] - (0.9 + 0.1 * biased * Double(M) / Double(M - 1))) < 1e-12)
        }
        // A second step applies the same formula to the updated statistics.
        let (rm1, rv1) = (bn.runningMean.value, bn.runningVar.value)
        let x2 = Tensor<Double>.randomNormal([4, 2, 3, 3], using: &rng)
        _ = bn.forward(x2)
        let bn1d = BatchNorm1d<Double>(2)
        _ = bn1d.forward(Tensor(shape: [36, 2], scalars: (0..<72).map { i in
            let (r, c) = (i / 2, i % 2)
            return x2[r / 9, c, r % 9 / 3, r % 3]
        }))
        #expect((bn.runningMean.value - (rm1 * 0.9 + bn1d.runningMean.value)).maxAbs() < 1e-12)
        #expect((bn.runningVar.value - (rv1 * 0.9 + (bn1d.runningVar.value - Tensor.ones([2]) * 0.9))).maxAbs() < 1e-12)
        #expect(bn.buffers.map(\.name) == ["running_mean", "running_var"])
        #expect(bn.parameters.allSatisfy { !$0.isWeight })
    }

    @Test func evaluationUsesRunningStatisticsAndLeavesThemAlone() {
        var rng = RandomGenerator(seed: 24)
        let bn = BatchNorm1d<Float>(3)
        Self.randomizeFloat(bn, using: &rng)
        bn.isTraining = false
        let before = bn.buffers.map(\.value)
        let x = Tensor<Float>.randomNormal([4, 3], using: &rng)
        let y = bn.forward(x)
        #expect(bn.buffers.map(\.value) == before)
        for n in 0..<4 { for c in 0..<3 {
            let expected = bn.weight.value.scalars[c] * (x[n, c] - before[0].scalars[c])
                / (before[1].scalars[c] + 1e-5).squareRoot() + bn.bias.value.scalars[c]
            #expect(abs(y[n, c] - expected) < 1e-5)
        } }
    }

    static func randomizeFloat(_ bn: BatchNorm1d<Float>, using rng: inout RandomGenerator) {
        bn.weight.value = .randomNormal([3], mean: 1, std: 0.5, using: &rng)
        bn.bias.value = .randomNormal([3], using: &rng)
        bn.runningMean.value = .randomNormal([3], using: &rng)
        bn.runningVar.value = .randomUniform([3], low: 0.5, high: 2, using: &rng)
    }

    @Test func anEmptyBatchInEvaluationModeGivesAnEmptyOutput() {
        let bn = BatchNorm2d<Double>(3)
        bn.isTraining = false
        let y = bn.forward(.zeros([0, 3, 2, 2]))
        #expect(y.shape == [0, 3, 2, 2])
        #expect(bn.backward(.zeros([0, 3, 2, 2])).shape == [0, 3, 2, 2])
        #expect(bn.weight.grad.scalars == [0, 0, 0])
    }

    @Test func copyIsDeepIncludingBuffers() {
        let bn = BatchNorm2d<Double>(2)
        var rng = RandomGenerator(seed: 25)
        _ = bn.forward(.randomNormal([2, 2, 2, 2], using: &rng))
        let twin = bn.copy()
        #expect(twin.runningMean.value == bn.runningMean.value)
        twin.runningMean.value.scalars[0] = 100
        twin.weight.value.scalars[1] = -3
        #expect(bn.runningMean.value.scalars[0] != 100)
        #expect(bn.weight.value.scalars[1] == 1)
    }
}
