import Foundation
import TensorCore

/// CutMix on a batch (Yun et al., "CutMix", ICCV 2019): each image gets a box pasted from another
/// image of the batch (a random permutation), with the box area `≈ (1−λ)·H·W`, `λ ~ Beta(α, α)`.
///
/// Box (torchvision v2): centre `(r_y, r_x)` uniform over the image, half-sizes
/// `⌊½√(1−λ)·H⌋, ⌊½√(1−λ)·W⌋`, clipped to the image; the returned `λ` is the adjusted
/// `1 − box area/(H·W)`, the exact fraction of each image that is its own.
public struct CutMix: Sendable, CustomStringConvertible {
    /// The Beta distribution parameter `α` (1: `λ` uniform).
    public var alpha: Double

    /// CutMix with `λ ~ Beta(alpha, alpha)`.
    public init(alpha: Double = 1) {
        precondition(alpha > 0, "CutMix alpha must be positive, got \(alpha)")
        self.alpha = alpha
    }

    /// What one application did.
    public struct Info: Equatable, Sendable {
        /// The sampled `λ`.
        public var sampledLambda: Double
        /// `1 − box area/(H·W)`: the weight of each image's own label.
        public var lambda: Double
        /// Image `i` received its box from image `permutation[i]`.
        public var permutation: [Int]
        /// The pasted box (same for every image).
        public var top: Int, left: Int, height: Int, width: Int
    }

    /// The mixed batch `(N, C, H, W)` and what was done.
    public func apply(to batch: Tensor<Float>, using rng: inout RandomGenerator) -> (images: Tensor<Float>, info: Info) {
        precondition(batch.rank == 4, "CutMix needs a (N, C, H, W) batch, got shape \(batch.shape)")
        let N = batch.shape[0], C = batch.shape[1], H = batch.shape[2], W = batch.shape[3]
        let lam = rng.nextBeta(alpha, alpha)
        let perm = rng.permutation(N)
        let ry = rng.nextInt(below: H), rx = rng.nextInt(below: W)
        let r = 0.5 * (1 - lam).squareRoot()
        let hh = Int(r * Double(H)), hw = Int(r * Double(W))
        let y1 = max(ry - hh, 0), y2 = min(ry + hh, H)
        let x1 = max(rx - hw, 0), x2 = min(rx + hw, W)
        var out = batch
        batch.scalars.withUnsafeBufferPointer { src in
            out.scalars.withUnsafeMutableBufferPointer { dst in
                for i in 0..<N {
                    for c in 0..<C {
                        let d = (i * C + c) * H * W, s = (perm[i] * C + c) * H * W
                        for y in y1..<y2 {
                            for x in x1..<x2 { dst[d + y * W + x] = src[s + y * W + x] }
                        }
                    }
                }
            }
        }
        let adjusted = 1 - Double((y2 - y1) * (x2 - x1)) / Double(H * W)
        return (out, Info(sampledLambda: lam, lambda: adjusted, permutation: perm,
                          top: y1, left: x1, height: y2 - y1, width: x2 - x1))
    }

    public var description: String { "CutMix(alpha \(alpha))" }
}
