import GradCheck
@testable import Layers
import TensorCore
import Testing

/// `Sequential` runs each `BatchNorm2d, ReLU` pair as one fused pass (`forwardRectified`,
/// `backwardRectified`, whose mask `[y > 0]` is recomputed from the input): the same bits as the
/// two layers one after the other.
@Suite struct FusedBatchNormReLUTests {
    @Test(arguments: [true, false])
    func fusedPassesEqualTheTwoLayers(training: Bool) {
        var rng = RandomGenerator(seed: 45)
        let separate = BatchNorm2d<Double>(5)
        BatchNormTests.randomize(separate, using: &rng)
        let fused = separate.copy(), relu = ReLU<Double>(), fusedReLU = ReLU<Double>()
        separate.isTraining = training
        fused.isTraining = training
        let x = Tensor<Double>.randomNormal([6, 5, 3, 4], mean: 0.5, std: 2, using: &rng)
        let y = relu.forward(separate.forward(x)), yFused = fused.forwardRectified(x, fusedReLU)
        #expect(y == yFused)
        #expect(y.scalars.contains(0) && y.scalars.contains { $0 > 0 }, "the mask must cut some values and keep others")
        let g = Tensor<Double>.randomNormal(y.shape, using: &rng)
        let gx = separate.backward(relu.backward(g)), gxFused = fused.backwardRectified(g, fusedReLU)
        #expect(gx == gxFused)
        #expect(separate.weight.grad == fused.weight.grad && separate.bias.grad == fused.bias.grad)
        #expect(separate.runningMean.value == fused.runningMean.value && separate.runningVar.value == fused.runningVar.value)
    }

    @Test func fusedPairGradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 46)
        let bn = BatchNorm2d<Double>(3)
        BatchNormTests.randomize(bn, using: &rng)
        let pair = Sequential<Double>([bn, ReLU<Double>()])
        let x = Tensor<Double>.randomNormal([3, 3, 2, 3], mean: 0.5, std: 2, using: &rng)
        let check = LayerGradCheck(pair, at: x)
        #expect(check.passes(), "\(check.description)")
    }
}
