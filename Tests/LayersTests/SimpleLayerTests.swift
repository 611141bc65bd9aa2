import GradCheck
import Layers
import TensorCore
import Testing

@Suite struct SimpleLayerTests {
    @Test func reluGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 31)
        let x = awayFromZero([3, 2, 2, 2], using: &rng)
        let relu = ReLU<Double>()
        #expect(relu.forward(x).scalars == x.scalars.map { max($0, 0) })
        let check = LayerGradCheck(relu, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    @Test(arguments: [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0)])
    func maxPoolGradientMatchesFiniteDifferences(kernel: Int, stride: Int, padding: Int) {
        var rng = RandomGenerator(seed: 32)
        let x = distinctValues([2, 2, 5, 6], using: &rng)
        let pool = MaxPool2d<Double>(kernelSize: kernel, stride: stride, padding: padding)
        let y = pool.forward(x)
        #expect(y.shape == [2, 2, (5 + 2 * padding - kernel) / stride + 1, (6 + 2 * padding - kernel) / stride + 1])
        let check = LayerGradCheck(pool, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    @Test func maxPoolForwardTakesWindowMaxima() {
        let x = Tensor<Float>(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float(($0 * 7) % 16) })
        // rows: [0 7 14 5] [12 3 10 1] [8 15 6 13] [4 11 2 9]
        let pool = MaxPool2d<Float>(kernelSize: 2)
        #expect(pool.forward(x).scalars == [12, 14, 15, 13])
        let g = pool.backward(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        #expect(g.scalars == [0, 0, 2, 0, 1, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0])
        let padded = MaxPool2d<Float>(kernelSize: 3, stride: 2, padding: 1)
        #expect(padded.forward(x).scalars == [12, 14, 15, 15])
    }

    @Test func globalAveragePoolAndFlatten() {
        var rng = RandomGenerator(seed: 33)
        let x = Tensor<Double>.randomNormal([2, 3, 2, 3], using: &rng)
        let gap = GlobalAveragePool2d<Double>()
        let y = gap.forward(x)
        #expect(y.shape == [2, 3])
        #expect(abs(y[1, 2] - (0..<6).map { x[1, 2, $0 / 3, $0 % 3] }.reduce(0, +) / 6) < 1e-14)
        let c1 = LayerGradCheck(gap, at: x)
        #expect(c1.passes(), "\(c1.description)")

        let flatten = Flatten<Double>()
        let f = flatten.forward(x)
        #expect(f.shape == [2, 18] && f.scalars == x.scalars)
        let c2 = LayerGradCheck(flatten, at: x)
        #expect(c2.passes(), "\(c2.description)")
    }

    @Test func l2NormalizeGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 34)
        let x = Tensor<Double>.randomNormal([4, 5], using: &rng)
        let layer = L2Normalize<Double>()
        let u = layer.forward(x)
        #expect(u.rowNorms().allSatisfy { abs($0 - 1) < 1e-14 })
        let check = LayerGradCheck(layer, at: x)
        #expect(check.passes(), "\(check.description)")
        let f = L2Normalize<Float>().forward(x.converted(to: Float.self))
        #expect((f.converted(to: Double.self) - u).maxAbs() < 1e-6)
    }

    /// The harness itself must catch a wrong gradient: a ReLU whose backward is off by 0.1%.
    @Test func gradientCheckDetectsAWrongBackward() {
        final class SlightlyWrong: Layer {
            typealias Scalar = Double
            let relu = ReLU<Double>()
            var isTraining = true
            var summary: String { "SlightlyWrong" }
            var parameters: [Parameter<Double>] { [] }
            var buffers: [Parameter<Double>] { [] }
            func forward(_ x: Tensor<Double>) -> Tensor<Double> { relu.forward(x) }
            func backward(_ g: Tensor<Double>) -> Tensor<Double> { relu.backward(g) * 1.001 }
            func copy() -> SlightlyWrong { SlightlyWrong() }
        }
        var rng = RandomGenerator(seed: 35)
        let check = LayerGradCheck(SlightlyWrong(), at: awayFromZero([4, 3], using: &rng))
        #expect(!check.passes())
        #expect(check.worst > 5e-4)
    }
}
