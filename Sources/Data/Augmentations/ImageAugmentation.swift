import Foundation
import TensorCore

/// A random image transform with its parameters stored, applied with an explicit seeded generator
/// so that a view depends only on the generator's state.
///
/// Transforms work on `Float` `(C, H, W)` images with samples in `[0, 1]`, before normalisation
/// (torchvision's tensor transforms).
public protocol ImageAugmentation: Sendable, CustomStringConvertible {
    /// The transformed image; draws its random parameters from `rng`.
    func apply(to image: Image, using rng: inout RandomGenerator) -> Image
}

/// Applies `transform` with probability `probability` (torchvision's `RandomApply`).
///
/// One uniform draw decides; the transform's own draws follow only when it is applied.
public struct RandomApply: ImageAugmentation {
    /// The wrapped transform.
    public var transform: any ImageAugmentation
    /// The probability of applying it.
    public var probability: Double

    /// `transform` applied with probability `probability`.
    public init(_ transform: any ImageAugmentation, probability: Double) {
        precondition((0...1).contains(probability), "probability must lie in [0, 1], got \(probability)")
        self.transform = transform
        self.probability = probability
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        rng.bernoulli(probability) ? transform.apply(to: image, using: &rng) : image
    }

    public var description: String { "RandomApply(\(transform), p=\(probability))" }
}

/// A fixed list of transforms applied in order (torchvision's `Compose`).
public struct Compose: ImageAugmentation {
    /// The transforms, first applied first.
    public var transforms: [any ImageAugmentation]

    /// The transforms applied in the given order.
    public init(_ transforms: [any ImageAugmentation]) { self.transforms = transforms }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        var x = image
        for t in transforms { x = t.apply(to: x, using: &rng) }
        return x
    }

    public var description: String { transforms.map(\.description).joined(separator: " → ") }
}

extension RandomGenerator {
    /// A Gamma(`shape`, 1) deviate (Marsaglia & Tsang, 2000; boosted for `shape < 1`).
    mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive, got \(shape)")
        if shape < 1 {
            let u = 1 - nextUniform()
            return nextGamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - nextUniform()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// A Beta(`a`, `b`) deviate as `X/(X+Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
    mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x / (x + y)
    }
}
