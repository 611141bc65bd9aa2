import Foundation
import TensorCore

/// Gaussian blur with a random `σ ~ U(sigma)`, applied with probability `probability`
/// (SimCLR, Chen et al. 2020; torchvision's `GaussianBlur`).
///
/// The separable kernel has taps `k_i ∝ exp(−x_i²/(2σ²))` at `x_i = i − (K−1)/2`, normalised to
/// sum 1, applied along rows then columns with reflect padding (`x[−1] = x[1]`), so a constant
/// image is unchanged.
public struct GaussianBlur: ImageAugmentation {
    /// Odd kernel size `K`.
    public var kernelSize: Int
    /// Range of the standard deviation in pixels.
    public var sigma: ClosedRange<Double>
    /// Probability of blurring.
    public var probability: Double

    /// A blur with kernel size `kernelSize` (odd), `σ` range and probability.
    public init(kernelSize: Int, sigma: ClosedRange<Double> = 0.1...2.0, probability: Double = 0.5) {
        precondition(kernelSize > 0 && kernelSize % 2 == 1, "kernel size must be odd and positive, got \(kernelSize)")
        precondition(sigma.lowerBound > 0, "sigma must be positive, got \(sigma)")
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.kernelSize = kernelSize
        self.sigma = sigma
        self.probability = probability
    }

    /// The SimCLR/MoCo kernel size for images of side `size`: about 10% of it, made odd
    /// (23 for 224 px, 3 for 28 or 32 px).
    public static func kernelSize(forImageSize size: Int) -> Int {
        let k = max(1, Int(0.1 * Double(size)))
        return k % 2 == 1 ? k : k + 1
    }

    /// The normalised 1-D kernel for `σ`.
    public func kernel(sigma s: Double) -> [Float] {
        let half = Double(kernelSize - 1) / 2
        let taps = (0..<kernelSize).map { i -> Double in
            let x = Double(i) - half
            return exp(-0.5 * (x / s) * (x / s))
        }
        let total = taps.reduce(0, +)
        return taps.map { Float($0 / total) }
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        guard rng.bernoulli(probability) else { return image }
        let s = rng.uniform(sigma.lowerBound, sigma.upperBound)
        return blurred(image, sigma: s)
    }

    /// The image blurred with a given `σ` (deterministic).
    public func blurred(_ image: Image, sigma s: Double) -> Image {
        let k = kernel(sigma: s)
        let half = kernelSize / 2
        let H = image.height, W = image.width
        let xIndex = (0..<(W + 2 * half)).map { reflect($0 - half, W) }
        let yIndex = (0..<(H + 2 * half)).map { reflect($0 - half, H) }
        var tmp = [Float](repeating: 0, count: H * W)
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { p in
            tmp.withUnsafeMutableBufferPointer { t in
                k.withUnsafeBufferPointer { k in
                    xIndex.withUnsafeBufferPointer { xi in
                        yIndex.withUnsafeBufferPointer { yi in
                            for c in 0..<image.channels {
                                let base = c * H * W
                                for y in 0..<H {
                                    let row = base + y * W
                                    for x in 0..<W {
                                        var acc: Float = 0
                                        for j in 0..<kernelSize { acc += k[j] * p[row + xi[x + j]] }
                                        t[y * W + x] = acc
                                    }
                                }
                                for y in 0..<H {
                                    for x in 0..<W {
                                        var acc: Float = 0
                                        for j in 0..<kernelSize { acc += k[j] * t[yi[y + j] * W + x] }
                                        p[base + y * W + x] = acc
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public var description: String { "GaussianBlur(kernel \(kernelSize), sigma \(sigma), p=\(probability))" }
}

/// Reflect padding index (`-1 → 1`, `n → n−2`), folded until inside `0..<n`.
private func reflect(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    var i = i
    while i < 0 || i >= n {
        if i < 0 { i = -i }
        if i >= n { i = 2 * (n - 1) - i }
    }
    return i
}
