import Testing
import TensorCore
@testable import Data

@Suite struct GeometricAugmentationTests {
    @Test func flipMirrorsAndTwiceIsIdentity() {
        let x = rampImage(channels: 3, height: 5, width: 7)
        var rng = RandomGenerator(seed: 1)
        let flip = HorizontalFlip(probability: 1)
        let once = flip.apply(to: x, using: &rng)
        for c in 0..<3 { for y in 0..<5 { for j in 0..<7 { #expect(once[c, y, j] == x[c, y, 6 - j]) } } }
        #expect(once != x)
        #expect(flip.apply(to: once, using: &rng) == x)
        #expect(HorizontalFlip(probability: 0).apply(to: x, using: &rng) == x)
    }

    @Test func flipProbabilityIsRespected() {
        let x = rampImage(channels: 1, height: 4, width: 4)
        var rng = RandomGenerator(seed: 2)
        let flip = HorizontalFlip(probability: 0.5)
        let flips = (0..<2000).filter { _ in flip.apply(to: x, using: &rng) != x }.count
        #expect(abs(Double(flips) / 2000 - 0.5) < 0.04)
    }

    @Test func bilinearUpsamplingMatchesPyTorch() {
        // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False)
        let x = Image(channels: 1, height: 2, width: 2, pixels: [0, 1, 2, 3])
        let y = x.resized(outHeight: 4, outWidth: 4)
        let expected: [Float] = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]
        #expect(maxAbsDifference(y.pixels, expected) < 1e-6)
        // Halving a 4×4 averages 2×2 blocks at half-pixel centres.
        let z = Image(channels: 1, height: 4, width: 4, pixels: (0..<16).map(Float.init)).resized(outHeight: 2, outWidth: 2)
        #expect(maxAbsDifference(z.pixels, [2.5, 4.5, 10.5, 12.5]) < 1e-6)
    }

    @Test func cropOutputSizeAndWindowRanges() {
        let x = rampImage(channels: 3, height: 28, width: 20)
        var rng = RandomGenerator(seed: 3)
        let crop = RandomResizedCrop(size: 12, scale: 0.3...1)
        for _ in 0..<200 {
            let y = crop.apply(to: x, using: &rng)
            #expect(y.channels == 3 && y.height == 12 && y.width == 12)
            let w = crop.sampleWindow(height: 28, width: 20, using: &rng)
            #expect(w.top >= 0 && w.left >= 0 && w.top + w.height <= 28 && w.left + w.width <= 20)
            let area = Double(w.height * w.width) / Double(28 * 20)
            // Rounding of w and h widens the bounds slightly.
            #expect(area > 0.3 * 0.8 && area <= 1)
            let ratio = Double(w.width) / Double(w.height)
            #expect(ratio > 0.75 * 0.85 && ratio < 4.0 / 3 * 1.15)
        }
    }

    @Test func fullScaleUnitRatioCropIsIdentity() {
        let x = rampImage(channels: 2, height: 9, width: 9)
        var rng = RandomGenerator(seed: 4)
        let crop = RandomResizedCrop(size: 9, scale: 1...1, ratio: 1...1)
        #expect(crop.apply(to: x, using: &rng) == x)
    }

    @Test func impossibleWindowFallsBackToCentreCrop() {
        // Area 600 at ratio 1 needs a 24×24 window, which never fits in 20×30.
        let x = rampImage(channels: 1, height: 20, width: 30)
        var rng = RandomGenerator(seed: 5)
        let crop = RandomResizedCrop(size: 20, scale: 1...1, ratio: 1...1)
        let w = crop.sampleWindow(height: 20, width: 30, using: &rng)
        #expect(w.top == 0 && w.left == 5 && w.height == 20 && w.width == 20)
        #expect(crop.apply(to: x, using: &rng) == x.centerCropped(height: 20, width: 20))
    }
}

@Suite struct PhotometricAugmentationTests {
    @Test func brightnessScalesAndClamps() {
        var x = Image(channels: 1, height: 1, width: 4, pixels: [0, 0.2, 0.5, 0.9])
        ColorJitter.adjustBrightness(&x, factor: 1.5)
        #expect(maxAbsDifference(x.pixels, [0, 0.3, 0.75, 1]) < 1e-6)

        // Sampled factors lie in [0.6, 1.4] and multiply every pixel alike.
        let y = Image(channels: 1, height: 1, width: 3, pixels: [0.1, 0.2, 0.4])
        var rng = RandomGenerator(seed: 6)
        let jitter = ColorJitter(brightness: 0.4, probability: 1)
        var factors = [Float]()
        for _ in 0..<500 {
            let z = jitter.apply(to: y, using: &rng)
            let f = z.pixels[0] / 0.1
            #expect(abs(z.pixels[1] - 0.2 * f) < 1e-5 && abs(z.pixels[2] - 0.4 * f) < 1e-5)
            factors.append(f)
        }
        #expect(factors.min()! >= 0.6 - 1e-5 && factors.max()! <= 1.4 + 1e-5)
        #expect(factors.min()! < 0.65 && factors.max()! > 1.35)
    }

    @Test func contrastBlendsTowardsTheGrayMean() {
        let x = Image(channels: 1, height: 2, width: 2, pixels: [0.2, 0.4, 0.6, 0.8])
        var a = x
        ColorJitter.adjustContrast(&a, factor: 0.5)
        #expect(maxAbsDifference(a.pixels, [0.35, 0.45, 0.55, 0.65]) < 1e-6)
        var b = x
        ColorJitter.adjustContrast(&b, factor: 0)
        #expect(maxAbsDifference(b.pixels, [0.5, 0.5, 0.5, 0.5]) < 1e-6)
        // RGB: the mean is the mean luma 0.2989 R + 0.587 G + 0.114 B.
        var c = Image(channels: 3, height: 1, width: 1, pixels: [1, 0, 0])
        ColorJitter.adjustContrast(&c, factor: 0)
        #expect(maxAbsDifference(c.pixels, [0.2989, 0.2989, 0.2989]) < 1e-6)
    }

    @Test func saturationAndHue() {
        var gray = Image(channels: 3, height: 1, width: 2, pixels: [1, 0.2, 0, 0.4, 0, 0.6])
        ColorJitter.adjustSaturation(&gray, factor: 0)
        #expect(gray.pixels[0] == gray.pixels[2] && gray.pixels[2] == gray.pixels[4])
        var red = Image(channels: 3, height: 1, width: 1, pixels: [1, 0, 0])
        ColorJitter.adjustHue(&red, shift: 1.0 / 3)
        #expect(maxAbsDifference(red.pixels, [0, 1, 0]) < 1e-5)
        let x = rampImage(channels: 3, height: 4, width: 4)
        var same = x
        ColorJitter.adjustHue(&same, shift: 0)
        #expect(maxAbsDifference(same.pixels, x.pixels) < 1e-5)
        // One channel: saturation and hue do nothing.
        var one = rampImage(channels: 1, height: 3, width: 3)
        ColorJitter.adjustSaturation(&one, factor: 0)
        ColorJitter.adjustHue(&one, shift: 0.3)
        #expect(one == rampImage(channels: 1, height: 3, width: 3))
    }

    @Test func jitterOrderIsARandomPermutation() {
        var rng = RandomGenerator(seed: 7)
        let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
        var firsts = Set<Int>()
        for _ in 0..<100 {
            let p = jitter.sampleParameters(using: &rng)
            #expect(p.order.sorted() == [0, 1, 2, 3])
            #expect(abs(p.hue!) <= 0.1)
            firsts.insert(p.order[0])
        }
        #expect(firsts.count == 4)
        #expect(ColorJitter(contrast: 0.4).sampleParameters(using: &rng).brightness == nil)
    }

    @Test func grayscaleReplicatesLuma() {
        let x = rampImage(channels: 3, height: 3, width: 3)
        var rng = RandomGenerator(seed: 8)
        let g = RandomGrayscale(probability: 1).apply(to: x, using: &rng)
        let luma = ColorJitter.grayscalePlane(x)
        #expect(Array(g.pixels[0..<9]) == luma && Array(g.pixels[9..<18]) == luma && Array(g.pixels[18..<27]) == luma)
    }

    @Test func solarisationInvertsAtOrAboveThreshold() {
        let x = Image(channels: 1, height: 1, width: 5, pixels: [0, 0.3, 0.5, 0.7, 1])
        var rng = RandomGenerator(seed: 9)
        let y = Solarization(threshold: 0.5, probability: 1).apply(to: x, using: &rng)
        #expect(maxAbsDifference(y.pixels, [0, 0.3, 0.5, 0.3, 0]) < 1e-6)
        let z = Solarization(threshold: 0.6, probability: 1).apply(to: x, using: &rng)
        #expect(maxAbsDifference(z.pixels, [0, 0.3, 0.5, 0.3, 0]) < 1e-6)
        #expect(Solarization(threshold: 0.5, probability: 0).apply(to: x, using: &rng) == x)
    }

    @Test func blurKernelAndConstantImage() {
        #expect(GaussianBlur.kernelSize(forImageSize: 224) == 23)
        #expect(GaussianBlur.kernelSize(forImageSize: 28) == 3)
        #expect(GaussianBlur.kernelSize(forImageSize: 32) == 3)
        let blur = GaussianBlur(kernelSize: 5, sigma: 0.1...2, probability: 1)
        let k = blur.kernel(sigma: 1)
        #expect(abs(k.reduce(0, +) - 1) < 1e-6)
        #expect(k[0] == k[4] && k[1] == k[3] && k[2] > k[1])
        // exp(−½)/exp(0) between neighbours at σ = 1.
        #expect(abs(k[1] / k[2] - 0.60653066) < 1e-5)
        let constant = Image(channels: 3, height: 6, width: 6, repeating: 0.37)
        var rng = RandomGenerator(seed: 10)
        let y = blur.apply(to: constant, using: &rng)
        #expect(maxAbsDifference(y.pixels, constant.pixels) < 1e-6)
        // A point spreads symmetrically; the centre keeps the largest share.
        var dot = Image(channels: 1, height: 9, width: 9)
        dot[0, 4, 4] = 1
        let b = blur.blurred(dot, sigma: 1)
        #expect(abs(b[0, 4, 4] - k[2] * k[2]) < 1e-6)
        #expect(b[0, 3, 4] == b[0, 5, 4] && b[0, 4, 3] == b[0, 4, 5])
        #expect(abs(b.pixels.reduce(0, +) - 1) < 1e-5)
    }

    @Test func cutMixAreaMatchesLambda() {
        // Image i is constant i + 1, so each pixel tells where it came from.
        let N = 6, C = 2, H = 10, W = 12
        var scalars = [Float]()
        for i in 0..<N { scalars += Array(repeating: Float(i + 1), count: C * H * W) }
        let batch = Tensor<Float>(shape: [N, C, H, W], scalars: scalars)
        var rng = RandomGenerator(seed: 11)
        let cutmix = CutMix()
        var sampled = [Double]()
        for _ in 0..<300 {
            let (mixed, info) = cutmix.apply(to: batch, using: &rng)
            sampled.append(info.sampledLambda)
            #expect(info.permutation.sorted() == Array(0..<N))
            for i in 0..<N {
                let image = Image(batch: mixed, index: i)
                let own = image.pixels.filter { $0 == Float(i + 1) }.count
                let other = image.pixels.filter { $0 == Float(info.permutation[i] + 1) }.count
                #expect(own + (info.permutation[i] == i ? 0 : other) == C * H * W)
                if info.permutation[i] != i {
                    #expect(abs(Double(own) / Double(C * H * W) - info.lambda) < 1e-12)
                }
            }
            #expect(info.height * info.width == Int(((1 - info.lambda) * Double(H * W)).rounded()))
            #expect(info.lambda >= info.sampledLambda - 1e-12)
        }
        // λ ~ Beta(1, 1) = U(0, 1): mean ½, variance 1/12.
        let mean = sampled.reduce(0, +) / Double(sampled.count)
        #expect(abs(mean - 0.5) < 0.05)
        var r = RandomGenerator(seed: 12)
        let beta = (0..<4000).map { _ in r.nextBeta(2, 5) }
        let betaMean: Double = beta.reduce(0, +) / 4000
        #expect(abs(betaMean - 2.0 / 7) < 0.01)
    }
}

@Suite struct PresetTests {
    @Test func presetsHaveThePaperParameters() {
        let small = AugmentationPreset.small()
        #expect(small.count == 3)
        let crop = small[0] as? RandomResizedCrop
        #expect(crop?.size == 28 && crop?.scale == 0.3...1)
        let jitter = small[2] as? ColorJitter
        #expect(jitter?.brightness == 0.4 && jitter?.contrast == 0.4 && jitter?.saturation == 0 && jitter?.probability == 0.8)

        let moco = AugmentationPreset.mocoV2(size: 224)
        #expect((moco[0] as? RandomResizedCrop)?.scale == 0.2...1)
        let mj = moco[1] as? ColorJitter
        #expect(mj?.saturation == 0.4 && mj?.hue == 0.1 && mj?.probability == 0.8)
        #expect((moco[2] as? RandomGrayscale)?.probability == 0.2)
        #expect((moco[3] as? GaussianBlur)?.kernelSize == 23 && (moco[3] as? GaussianBlur)?.probability == 0.5)
        #expect(moco[4] is HorizontalFlip)

        var rng = RandomGenerator(seed: 13)
        let x = SyntheticShapes.color32.draw(label: 3, using: &rng)
        let y = Compose(AugmentationPreset.mocoV2(size: 32)).apply(to: x, using: &rng)
        #expect(y.channels == 3 && y.height == 32 && y.width == 32)
        #expect(y.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
