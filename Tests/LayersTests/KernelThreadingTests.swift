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
