import TensorCore

/// Mirrors the image left–right with probability `probability` (torchvision's
/// `RandomHorizontalFlip`): `y[c, i, j] = x[c, i, W−1−j]`.
public struct HorizontalFlip: ImageAugmentation {
    /// The probability of flipping.
    public var probability: Double

    /// A flip with probability `probability` (½ by default; 1 always flips).
    public init(probability: Double = 0.5) {
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.probability = probability
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        rng.bernoulli(probability) ? HorizontalFlip.flipped(image) : image
    }

    /// The mirrored image (always).
    public static func flipped(_ image: Image) -> Image {
        var out = image
        let W = image.width, rows = image.channels * image.height
        out.pixels.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows {
                var a = r * W, b = a + W - 1
                while a < b {
                    p.swapAt(a, b)
                    a += 1; b -= 1
                }
            }
        }
        return out
    }

    public var description: String { "HorizontalFlip(p=\(probability))" }
}
