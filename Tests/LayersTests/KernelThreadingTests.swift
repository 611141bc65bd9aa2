import Layers
import TensorCore
import Testing

@Suite struct KernelThreadingTests {
    /// The parallel loops write disjoint memory in the same order per element as the serial ones,
    /// so results are bitwise identical. (Other tests may run meanwhile; they give the same
    /// results either way.)
    @Test func parallelKernelsGiveBitwiseIdenticalResults() {
        func run() -> [Tensor<Float>] {
            var rng = RandomGenerator(seed: 71)
            let net = Sequential<Float>(named: [
                ("stem", Sequential<Float>.convBNReLU(1, 8, stride: 1, using: &rng)),
                ("pool", MaxPool2d<Float>(kernelSize: 3, stride: 2, padding: 1)),
                ("block", BasicBlock<Float>(inPlanes: 8, planes: 16, stride: 2, using: &rng)),
                ("gap", GlobalAveragePool2d<Float>()),
            ])
            let x = Tensor<Float>.randomNormal([21, 1, 24, 24], using: &rng)
            let y = net.forward(x)
            let gx = net.backward(.randomNormal(y.shape, using: &rng))
            return [y, gx] + net.parameters.map(\.grad) + net.buffers.map(\.value)
        }
        let serial = run()
        KernelThreading.isParallel = true
        let parallel = run()
        KernelThreading.isParallel = false
        #expect(serial.count == parallel.count)
        #expect(zip(serial, parallel).allSatisfy { $0 == $1 })
    }
}

@Suite struct ConvolutionLaneTests {
    /// Several chunks per lane and three lanes: run concurrently (single-threaded gemms) they give
    /// bitwise the serial results, and both agree with the direct convolution and with a
    /// one-chunk layer up to the order of the weight-gradient sums.
    @Test func concurrentLanesGiveBitwiseIdenticalResults() {
        var rng = RandomGenerator(seed: 72)
        let reference = Conv2d<Double>(3, 5, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let chunked = reference.copy()
        chunked.maxColumnElements = 27 * 16 * 2  // two images (C·k·k = 27, H'W' = 16) per chunk
        let x = Tensor<Double>.randomNormal([11, 3, 8, 8], using: &rng)
        let g = Tensor<Double>.randomNormal([11, 5, 4, 4], using: &rng)
        let savedLanes = KernelThreading.lanes
        KernelThreading.lanes = 3
        defer { KernelThreading.lanes = savedLanes }
        func run(parallel: Bool) -> [Tensor<Double>] {
            chunked.zeroGrad()
            KernelThreading.isParallel = parallel
            defer { KernelThreading.isParallel = false }
            let y = chunked.forward(x)
            let gx = chunked.backward(g)
            return [y, gx, chunked.weight.grad, chunked.bias!.grad]
        }
        let serial = run(parallel: false)
        let concurrent = run(parallel: true)
        #expect(zip(serial, concurrent).allSatisfy { $0 == $1 })
        let y = reference.forward(x), gx = reference.backward(g)
        #expect((serial[0] - y).maxAbs() < 1e-13)
        #expect((serial[0] - naiveConvolution(x, reference)).maxAbs() < 1e-12)
        #expect((serial[1] - gx).maxAbs() < 1e-13)
        #expect((serial[2] - reference.weight.grad).maxAbs() < 1e-12 && serial[2].maxAbs() > 0)
        #expect((serial[3] - reference.bias!.grad).maxAbs() < 1e-12)
    }
}
