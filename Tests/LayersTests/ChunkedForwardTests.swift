import Testing
import TensorCore
@testable import Layers

@Suite struct ChunkedForwardTests {
    /// In evaluation mode a forward in chunks of rows gives exactly the rows of one forward.
    @Test(arguments: [1, 3, 7, 10, 64])
    func chunksEqualOneForward(chunk: Int) {
        var rng = RandomGenerator(seed: 41)
        let net = Sequential<Double>(named: [
            ("fc", Linear<Double>(5, 4, using: &rng)),
            ("bn", BatchNorm1d<Double>(4)),
            ("relu", ReLU<Double>()),
        ])
        _ = net.forward(Tensor<Double>.randomNormal([16, 5], using: &rng))   // running statistics ≠ init
        net.isTraining = false
        let x = Tensor<Double>.randomNormal([10, 5], using: &rng)
        let whole = net.forward(x), chunked = net.forwardInChunks(x, chunk: chunk)
        #expect(chunked.shape == whole.shape)
        #expect(chunked.scalars == whole.scalars)
    }
}
