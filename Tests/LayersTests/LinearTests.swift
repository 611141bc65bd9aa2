import GradCheck
import Layers
import TensorCore
import Testing

@Suite struct LinearTests {
    @Test(arguments: [true, false])
    func gradientsMatchFiniteDifferences(bias: Bool) {
        var rng = RandomGenerator(seed: 1)
        let layer = Linear<Double>(5, 3, bias: bias, using: &rng)
        let x = Tensor<Double>.randomNormal([4, 5], using: &rng)
        let check = LayerGradCheck(layer, at: x)
        #expect(check.reports.count == (bias ? 3 : 2))
        #expect(check.passes(), "\(check.description)")
    }

    @Test func forwardIsXWTransposePlusBias() {
        var rng = RandomGenerator(seed: 2)
        let layer = Linear<Double>(2, 2, using: &rng)
        layer.weight.value = Tensor(rows: [[1, 2], [3, 4]])
        layer.bias?.value = Tensor(shape: [2], scalars: [0.5, -1])
        let y = layer.forward(Tensor(rows: [[1, 1], [2, -1]]))
        #expect(y.scalars == [3.5, 6, 0.5, 1])
    }

    @Test func initialisationIsPyTorchDefault() {
        var rng = RandomGenerator(seed: 3)
        let layer = Linear<Float>(64, 512, using: &rng)
        let bound = Float(1 / 8.0)  // 1/√64
        #expect(layer.weight.value.maxAbs() <= bound)
        #expect(layer.weight.value.maxAbs() > 0.95 * bound)
        #expect(layer.bias!.value.maxAbs() <= bound)
        // U(−b, b) has variance b²/3.
        let variance = Double(layer.weight.value.squaredNorm()) / Double(layer.weight.value.count)
        #expect(abs(variance - Double(bound * bound) / 3) < 0.05 * Double(bound * bound) / 3)
        #expect(layer.weight.isWeight && !layer.bias!.isWeight)
        #expect(abs(Initialization.kaimingUniformBound(fanIn: 100) - 0.1) < 1e-15)
    }

    @Test func gradientsAccumulateAcrossBackwardPasses() {
        var rng = RandomGenerator(seed: 4)
        let layer = Linear<Float>(3, 2, using: &rng)
        let x = Tensor<Float>.randomNormal([5, 3], using: &rng)
        let g = Tensor<Float>.randomNormal([5, 2], using: &rng)
        _ = layer.forward(x)
        _ = layer.backward(g)
        let once = layer.parameters.map(\.grad)
        _ = layer.forward(x)
        _ = layer.backward(g)
        for (p, g1) in zip(layer.parameters, once) {
            #expect((p.grad - g1 * 2).maxAbs() <= 1e-6 * g1.maxAbs())
        }
        layer.zeroGrad()
        #expect(layer.parameters.allSatisfy { $0.grad.maxAbs() == 0 })
    }

    @Test func copyIsDeep() {
        var rng = RandomGenerator(seed: 5)
        let layer = Linear<Double>(3, 2, using: &rng)
        let twin = layer.copy()
        #expect(twin.weight !== layer.weight)
        #expect(twin.weight.value == layer.weight.value)
        twin.weight.value.scalars[0] += 1
        twin.bias!.grad.scalars[0] = 9
        #expect(twin.weight.value != layer.weight.value)
        #expect(layer.bias!.grad.scalars[0] == 0)
    }
}
