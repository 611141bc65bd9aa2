import GradCheck
import Layers
import TensorCore
import Testing

/// `y[n,k,h',w'] = b[k] + Σ_{c,i,j} W[k,c,i,j] x[n,c,h'·s_h−p_h+i, w'·s_w−p_w+j]`, written as loops.
func naiveConvolution<S: BLASScalar>(_ x: Tensor<S>, _ conv: Conv2d<S>) -> Tensor<S> {
    let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (K, kh, kw) = (conv.outChannels, conv.kernelHeight, conv.kernelWidth)
    let (sh, sw, ph, pw) = (conv.strideHeight, conv.strideWidth, conv.paddingHeight, conv.paddingWidth)
    let Ho = (H + 2 * ph - kh) / sh + 1, Wo = (W + 2 * pw - kw) / sw + 1
    var y = Tensor<S>.zeros([N, K, Ho, Wo])
    let w = conv.weight.value
    for n in 0..<N { for k in 0..<K { for oh in 0..<Ho { for ow in 0..<Wo {
        var s: Double = conv.bias.map { Double($0.value.scalars[k]) } ?? 0
        for c in 0..<C { for i in 0..<kh { for j in 0..<kw {
            let ih = oh * sh - ph + i, iw = ow * sw - pw + j
            if ih >= 0 && ih < H && iw >= 0 && iw < W { s += Double(w[k, c, i, j]) * Double(x[n, c, ih, iw]) }
        } } }
        y[n, k, oh, ow] = S(s)
    } } } }
    return y
}

/// (C, K, kernel, stride, padding, H, W)
struct ConvCase: Sendable, CustomStringConvertible {
    var c: Int, k: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), h: Int, w: Int
    var description: String { "C\(c) K\(k) k\(kernel) s\(stride) p\(padding) \(h)×\(w)" }
}

let convCases: [ConvCase] = [
    ConvCase(c: 2, k: 3, kernel: (3, 3), stride: (1, 1), padding: (1, 1), h: 5, w: 5),
    ConvCase(c: 2, k: 3, kernel: (3, 3), stride: (2, 2), padding: (1, 1), h: 7, w: 6),
    ConvCase(c: 3, k: 2, kernel: (3, 2), stride: (2, 1), padding: (1, 0), h: 7, w: 5),
    ConvCase(c: 1, k: 4, kernel: (1, 1), stride: (2, 2), padding: (0, 0), h: 5, w: 5),
    ConvCase(c: 2, k: 2, kernel: (5, 3), stride: (3, 2), padding: (2, 1), h: 9, w: 4),
]

@Suite struct Conv2dTests {
    @Test(arguments: convCases)
    func forwardMatchesDirectConvolution(_ cc: ConvCase) {
        var rng = RandomGenerator(seed: 11)
        let conv = Conv2d<Double>(cc.c, cc.k, kernelSize: cc.kernel, stride: cc.stride, padding: cc.padding, using: &rng)
        let x = Tensor<Double>.randomNormal([3, cc.c, cc.h, cc.w], using: &rng)
        let y = conv.forward(x)
        let reference = naiveConvolution(x, conv)
        #expect(y.shape == reference.shape)
        #expect((y - reference).maxAbs() < 1e-12)

        let convF = Conv2d<Float>(cc.c, cc.k, kernelSize: cc.kernel, stride: cc.stride, padding: cc.padding, using: &rng)
        let xF = Tensor<Float>.randomNormal([2, cc.c, cc.h, cc.w], using: &rng)
        #expect((convF.forward(xF) - naiveConvolution(xF, convF)).maxAbs() < 1e-5)
    }

    @Test(arguments: convCases)
    func gradientsMatchFiniteDifferences(_ cc: ConvCase) {
        var rng = RandomGenerator(seed: 12)
        let conv = Conv2d<Double>(cc.c, cc.k, kernelSize: cc.kernel, stride: cc.stride, padding: cc.padding, using: &rng)
        let x = Tensor<Double>.randomNormal([2, cc.c, cc.h, cc.w], using: &rng)
        let check = LayerGradCheck(conv, at: x)
        #expect(check.reports.count == 3)
        #expect(check.passes(), "\(check.description)")
    }

    @Test func chunkedBatchGivesTheSameResults() {
        var rng = RandomGenerator(seed: 13)
        let whole = Conv2d<Double>(3, 4, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let chunked = whole.copy()
        chunked.maxColumnElements = 27 * 16 * 2  // two images (C·k·k = 27, H'W' = 16) per chunk
        let x = Tensor<Double>.randomNormal([5, 3, 8, 8], using: &rng)
        let g = Tensor<Double>.randomNormal([5, 4, 4, 4], using: &rng)
        let (y1, y2) = (whole.forward(x), chunked.forward(x))
        #expect((y1 - y2).maxAbs() < 1e-13)
        let (gx1, gx2) = (whole.backward(g), chunked.backward(g))
        #expect((gx1 - gx2).maxAbs() < 1e-13)
        #expect((whole.weight.grad - chunked.weight.grad).maxAbs() < 1e-12)
        #expect((whole.bias!.grad - chunked.bias!.grad).maxAbs() < 1e-12)
        let check = LayerGradCheck(chunked, at: x, sample: 60)
        #expect(check.passes(), "\(check.description)")
    }

    /// One input channel and 21 images: `col2im` splits the images into uneven blocks.
    @Test func singleChannelLargeBatchGradients() {
        var rng = RandomGenerator(seed: 16)
        let conv = Conv2d<Double>(1, 2, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let x = Tensor<Double>.randomNormal([21, 1, 5, 4], using: &rng)
        #expect((conv.forward(x) - naiveConvolution(x, conv)).maxAbs() < 1e-12)
        let check = LayerGradCheck(conv, at: x, sample: 80)
        #expect(check.passes(), "\(check.description)")
    }

    /// The per-image gemm path (wide output planes) against the transposing one, chunked or not,
    /// and against finite differences.
    @Test func perImagePathMatchesTheTransposingPath() {
        var rng = RandomGenerator(seed: 18)
        let transposing = Conv2d<Double>(2, 3, kernelSize: 3, stride: 1, padding: 1, using: &rng)
        transposing.perImageOutputPlane = .max
        let perImage = transposing.copy()
        perImage.perImageOutputPlane = 1
        let chunked = perImage.copy()
        chunked.maxColumnElements = 18 * 30 * 2  // two images (C·k·k = 18, H'W' = 30) per chunk
        let x = Tensor<Double>.randomNormal([5, 2, 5, 6], using: &rng)
        let g = Tensor<Double>.randomNormal([5, 3, 5, 6], using: &rng)
        let y = transposing.forward(x)
        #expect((y - naiveConvolution(x, transposing)).maxAbs() < 1e-12)
        let gx = transposing.backward(g)
        for conv in [perImage, chunked] {
            #expect((conv.forward(x) - y).maxAbs() < 1e-13)
            #expect((conv.backward(g) - gx).maxAbs() < 1e-13)
            #expect((conv.weight.grad - transposing.weight.grad).maxAbs() < 1e-12)
            #expect((conv.bias!.grad - transposing.bias!.grad).maxAbs() < 1e-12)
        }
        let check = LayerGradCheck(chunked, at: x, sample: 60)
        #expect(check.passes(), "\(check.description)")
        let noInput = perImage.copy()
        noInput.computesInputGradient = false
        _ = noInput.forward(x)
        #expect(noInput.backward(g) == .zeros(x.shape))
    }

    @Test func skippingTheInputGradientKeepsParameterGradients() {
        var rng = RandomGenerator(seed: 17)
        let full = Conv2d<Double>(2, 3, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let partial = full.copy()
        partial.computesInputGradient = false
        let x = Tensor<Double>.randomNormal([3, 2, 5, 5], using: &rng)
        let g = Tensor<Double>.randomNormal([3, 3, 3, 3], using: &rng)
        _ = full.forward(x)
        _ = partial.forward(x)
        #expect(full.backward(g).maxAbs() > 0)
        #expect(partial.backward(g) == .zeros(x.shape))
        #expect(full.weight.grad == partial.weight.grad && full.bias!.grad == partial.bias!.grad)
    }

    @Test func gradientsAccumulateAndCopyIsDeep() {
        var rng = RandomGenerator(seed: 14)
        let conv = Conv2d<Float>(2, 3, kernelSize: 3, padding: 1, using: &rng)
        let x = Tensor<Float>.randomNormal([2, 2, 4, 4], using: &rng)
        let g = Tensor<Float>.randomNormal([2, 3, 4, 4], using: &rng)
        _ = conv.forward(x)
        let gx1 = conv.backward(g)
        let once = conv.parameters.map(\.grad)
        _ = conv.forward(x)
        let gx2 = conv.backward(g)
        #expect(gx1 == gx2)  // the input gradient does not accumulate
        for (p, g1) in zip(conv.parameters, once) { #expect((p.grad - g1 * 2).maxAbs() <= 1e-5 * g1.maxAbs()) }

        let twin = conv.copy()
        twin.weight.value.scalars[0] = 42
        twin.zeroGrad()
        #expect(conv.weight.value.scalars[0] != 42)
        #expect(conv.weight.grad.maxAbs() > 0)
        #expect(twin.summary == "Conv2d(2→3, k3, s1, p1)")
    }

    @Test func initialisationBoundIsOneOverSquareRootFanIn() {
        var rng = RandomGenerator(seed: 15)
        let conv = Conv2d<Double>(16, 32, kernelSize: 3, using: &rng)
        let bound = 1 / (16.0 * 9).squareRoot()
        #expect(conv.weight.value.maxAbs() <= bound && conv.weight.value.maxAbs() > 0.99 * bound)
        #expect(conv.bias!.value.maxAbs() <= bound)
        #expect(conv.weight.isWeight && !conv.bias!.isWeight)
        #expect(conv.multiplyAccumulates(inputShape: [2, 16, 8, 8]) == 2 * 32 * 36 * 16 * 9)
    }
}
