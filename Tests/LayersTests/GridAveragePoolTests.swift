import Testing
import TensorCore
@testable import Layers

@Suite struct GridAveragePoolTests {
    @Test func cellsAverageTheirWindows() {
        // 4×4 plane holding 0…15 onto a 2×2 grid: each cell is the mean of a 2×2 block.
        let x = Tensor<Double>(shape: [1, 1, 4, 4], scalars: (0..<16).map(Double.init))
        let y = GridAveragePool2d<Double>(grid: 2).forward(x)
        #expect(y.shape == [1, 4])
        #expect(y.scalars == [2.5, 4.5, 10.5, 12.5])
        // 5×5 onto 2×2: windows 0..<3 and 2..<5 overlap in the middle row/column (PyTorch's bins).
        #expect(GridAveragePool2d<Double>.window(0, 5, 2) == 0..<3 && GridAveragePool2d<Double>.window(1, 5, 2) == 2..<5)
        let z = Tensor<Double>(shape: [1, 1, 5, 5], scalars: (0..<25).map(Double.init))
        let yz = GridAveragePool2d<Double>(grid: 2).forward(z)
        #expect(yz.scalars == [6, 8, 16, 18])
    }

    @Test func gridOneIsGlobalAveragePooling() {
        var rng = RandomGenerator(seed: 35)
        let x = Tensor<Double>.randomNormal([3, 4, 3, 5], using: &rng)
        let a = GridAveragePool2d<Double>(grid: 1).forward(x), b = GlobalAveragePool2d<Double>().forward(x)
        #expect(a.shape == b.shape)
        #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) < 1e-14 })
    }

    @Test func gridOfTheMapSizeIsAFlatten() {
        // One pixel per window: y is x in (N, C·H·W) order, and ∂L/∂x is g in (N, C, H, W).
        var rng = RandomGenerator(seed: 37)
        let x = Tensor<Double>.randomNormal([2, 3, 4, 4], using: &rng)
        let pool = GridAveragePool2d<Double>(grid: 4)
        let y = pool.forward(x)
        #expect(y.shape == [2, 48] && y.scalars == x.scalars)
        let g = Tensor<Double>.randomNormal([2, 48], using: &rng)
        let gx = pool.backward(g)
        #expect(gx.shape == [2, 3, 4, 4] && gx.scalars == g.scalars)
        // The general path on a 5×5 map onto 4×4 still averages (overlapping 2×2 windows).
        let z = Tensor<Double>(shape: [1, 1, 5, 5], scalars: (0..<25).map(Double.init))
        #expect(GridAveragePool2d<Double>(grid: 4).forward(z).scalars.prefix(2) == [3, 4])
    }

    @Test(arguments: [(2, 4, 4), (2, 5, 7), (3, 7, 7), (4, 4, 4)])
    func backwardMatchesFiniteDifferences(grid: Int, height: Int, width: Int) {
        var rng = RandomGenerator(seed: 36)
        let x = Tensor<Double>.randomNormal([2, 3, height, width], using: &rng)
        let check = LayerGradCheck(GridAveragePool2d<Double>(grid: grid), at: x)
        #expect(check.passes(), "\(check.description)")
    }
}
