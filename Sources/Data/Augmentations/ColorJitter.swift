import TensorCore

/// Random brightness, contrast, saturation and hue changes in random order (torchvision's
/// `ColorJitter`, tensor semantics), applied with probability `probability` (the `RandomApply`
/// wrapper of SimCLR/MoCo-v2 pipelines).
///
/// Factors: brightness `b ~ U[max(0, 1−β), 1+β]`, contrast `c ~ U[max(0, 1−γ), 1+γ]`,
/// saturation `s ~ U[max(0, 1−σ), 1+σ]`, hue shift `h ~ U[−η, η]`; a zero strength disables that
/// adjustment. With `blend(x, y, f) = clamp(f·x + (1−f)·y, 0, 1)`:
/// - brightness: `blend(x, 0, b)`;
/// - contrast: `blend(x, mean(gray(x)), c)`, the mean over the whole image;
/// - saturation: `blend(x, gray(x), s)` (RGB only);
/// - hue: rotate the HSV hue by `h` turns (RGB only),
/// with `gray = 0.2989 R + 0.587 G + 0.114 B`. The order is a random permutation of the four.
public struct ColorJitter: ImageAugmentation {
    /// Brightness strength `β ≥ 0`.
    public var brightness: Double
    /// Contrast strength `γ ≥ 0`.
    public var contrast: Double
    /// Saturation strength `σ ≥ 0`.
    public var saturation: Double
    /// Hue strength `η ∈ [0, ½]`.
    public var hue: Double
    /// Probability of applying the jitter at all.
    public var probability: Double

    /// A jitter with the given strengths, applied with probability `probability`.
    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0,
                probability: Double = 1) {
        precondition(brightness >= 0 && contrast >= 0 && saturation >= 0,
                     "jitter strengths must be non-negative, got \(brightness), \(contrast), \(saturation)")
        precondition((0...0.5).contains(hue), "hue strength must lie in [0, 0.5], got \(hue)")
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.probability = probability
    }

    /// The sampled order and factors of one application (`nil` = disabled).
    public struct Parameters: Equatable, Sendable {
        /// A permutation of 0 (brightness), 1 (contrast), 2 (saturation), 3 (hue).
        public var order: [Int]
        /// Brightness factor.
        public var brightness: Double?
        /// Contrast factor.
        public var contrast: Double?
        /// Saturation factor.
        public var saturation: Double?
        /// Hue shift in turns.
        public var hue: Double?
    }

    /// Draws the order and factors (torchvision `get_params`).
    public func sampleParameters(using rng: inout RandomGenerator) -> Parameters {
        let order = rng.permutation(4)
        func factor(_ s: Double) -> Double? { s > 0 ? rng.uniform(max(0, 1 - s), 1 + s) : nil }
        let b = factor(brightness), c = factor(contrast), s = factor(saturation)
        let h = hue > 0 ? rng.uniform(-hue, hue) : nil
        return Parameters(order: order, brightness: b, contrast: c, saturation: s, hue: h)
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        guard rng.bernoulli(probability) else { return image }
        return ColorJitter.apply(sampleParameters(using: &rng), to: image)
    }

    /// Applies given parameters (deterministic).
    public static func apply(_ p: Parameters, to image: Image) -> Image {
        var x = image
        for op in p.order {
            switch op {
            case 0: if let f = p.brightness { adjustBrightness(&x, factor: Float(f)) }
            case 1: if let f = p.contrast { adjustContrast(&x, factor: Float(f)) }
            case 2: if let f = p.saturation { adjustSaturation(&x, factor: Float(f)) }
            default: if let h = p.hue { adjustHue(&x, shift: Float(h)) }
            }
        }
        return x
    }

    /// `x ← clamp(b·x, 0, 1)`.
    public static func adjustBrightness(_ image: inout Image, factor b: Float) {
        image.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = min(max(b * p[i], 0), 1) }
        }
    }

    /// `x ← clamp(c·x + (1−c)·m, 0, 1)` with `m` the mean of the grayscale image.
    public static func adjustContrast(_ image: inout Image, factor c: Float) {
        let offset = (1 - c) * meanLuma(image)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = min(max(c * p[i] + offset, 0), 1) }
        }
    }

    /// `x ← clamp(s·x + (1−s)·gray(x), 0, 1)`; no change for one channel.
    public static func adjustSaturation(_ image: inout Image, factor s: Float) {
        guard image.channels == 3 else { return }
        let gray = grayscalePlane(image)
        let n = image.planeSize
        image.pixels.withUnsafeMutableBufferPointer { p in
            gray.withUnsafeBufferPointer { g in
                for c in 0..<3 {
                    for i in 0..<n { p[c * n + i] = min(max(s * p[c * n + i] + (1 - s) * g[i], 0), 1) }
                }
            }
        }
    }

    /// Rotates the hue by `shift` turns through HSV (torchvision `_rgb2hsv`/`_hsv2rgb`); no change
    /// for one channel.
    public static func adjustHue(_ image: inout Image, shift: Float) {
        guard image.channels == 3 else { return }
        let n = image.planeSize
        image.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let r = p[i], g = p[n + i], b = p[2 * n + i]
                let maxc = max(r, g, b), minc = min(r, g, b)
                let cr = maxc - minc
                let v = maxc
                let s = cr / (maxc == minc ? 1 : maxc)
                let div = maxc == minc ? 1 : cr
                let rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div
                var h: Float
                if maxc == r { h = bc - gc } else if maxc == g { h = 2 + rc - bc } else { h = 4 + gc - rc }
                h = h / 6 + 1 + shift
                h -= h.rounded(.down)
                let h6 = h * 6
                let sector = Int(h6.rounded(.down)) % 6
                let f = h6 - h6.rounded(.down)
                let pp = min(max(v * (1 - s), 0), 1)
                let q = min(max(v * (1 - s * f), 0), 1)
                let t = min(max(v * (1 - s * (1 - f)), 0), 1)
                let (nr, ng, nb): (Float, Float, Float)
                switch sector {
                case 0: (nr, ng, nb) = (v, t, pp)
                case 1: (nr, ng, nb) = (q, v, pp)
                case 2: (nr, ng, nb) = (pp, v, t)
                case 3: (nr, ng, nb) = (pp, q, v)
                case 4: (nr, ng, nb) = (t, pp, v)
                default: (nr, ng, nb) = (v, pp, q)
                }
                p[i] = nr; p[n + i] = ng; p[2 * n + i] = nb
            }
        }
    }

    /// The mean of the luma plane (of the image itself for one channel).
    public static func meanLuma(_ image: Image) -> Float {
        let n = image.planeSize
        var s: Float = 0
        image.pixels.withUnsafeBufferPointer { p in
            if image.channels == 3 {
                for i in 0..<n { s += 0.2989 * p[i] + 0.587 * p[n + i] + 0.114 * p[2 * n + i] }
            } else {
                for i in 0..<n { s += p[i] }
            }
        }
        return s / Float(n)
    }

    /// The luma plane `0.2989 R + 0.587 G + 0.114 B` (the image itself for one channel).
    public static func grayscalePlane(_ image: Image) -> [Float] {
        let n = image.planeSize
        if image.channels != 3 { return Array(image.pixels[0..<n]) }
        var g = [Float](repeating: 0, count: n)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n { g[i] = 0.2989 * p[i] + 0.587 * p[n + i] + 0.114 * p[2 * n + i] }
        }
        return g
    }

    public var description: String {
        "ColorJitter(brightness \(brightness), contrast \(contrast), saturation \(saturation), hue \(hue), p=\(probability))"
    }
}

/// Replaces an RGB image by its luma in all three channels with probability `probability`
/// (torchvision's `RandomGrayscale`); one-channel images are unchanged.
public struct RandomGrayscale: ImageAugmentation {
    /// The probability of converting.
    public var probability: Double

    /// Conversion with probability `probability` (torchvision's default 0.1).
    public init(probability: Double = 0.1) {
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.probability = probability
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        guard rng.bernoulli(probability), image.channels == 3 else { return image }
        let g = ColorJitter.grayscalePlane(image)
        return Image(channels: 3, height: image.height, width: image.width, pixels: g + g + g)
    }

    public var description: String { "RandomGrayscale(p=\(probability))" }
}

/// Inverts samples at or above `threshold`, `x ← 1 − x`, with probability `probability`
/// (torchvision's `RandomSolarize`; BYOL's second view).
public struct Solarization: ImageAugmentation {
    /// Samples `x ≥ threshold` are inverted.
    public var threshold: Float
    /// The probability of solarising.
    public var probability: Double

    /// Solarisation at `threshold` with probability `probability`.
    public init(threshold: Float = 0.5, probability: Double = 0.2) {
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.threshold = threshold
        self.probability = probability
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        guard rng.bernoulli(probability) else { return image }
        var out = image
        let t = threshold
        out.pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count where p[i] >= t { p[i] = 1 - p[i] }
        }
        return out
    }

    public var description: String { "Solarization(threshold \(threshold), p=\(probability))" }
}
