import Foundation
import TensorCore

/// A random window of random area and aspect ratio, resized to `size × size` (Szegedy et al.,
/// "Going deeper with convolutions", 2015; torchvision's `RandomResizedCrop`).
///
/// Sampling (torchvision `get_params`): up to 10 attempts of area `A·U(scale)` and ratio
/// `exp(U(log ratio))`, `w = round(√(area·ratio))`, `h = round(√(area/ratio))`; the first window
/// that fits is placed uniformly. Otherwise the centre crop of the image clamped to the ratio range.
/// The window is resized bilinearly (see ``Image/resizedCrop(top:left:height:width:outHeight:outWidth:)``).
public struct RandomResizedCrop: ImageAugmentation {
    /// Output side in pixels.
    public var size: Int
    /// Range of the window's area as a fraction of the image's.
    public var scale: ClosedRange<Double>
    /// Range of the window's aspect ratio `w/h`.
    public var ratio: ClosedRange<Double>

    /// torchvision's defaults: scale `0.08…1`, ratio `3/4…4/3`.
    public init(size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
        precondition(size > 0, "crop size must be positive, got \(size)")
        precondition(scale.lowerBound > 0, "crop scale must be positive, got \(scale)")
        precondition(ratio.lowerBound > 0, "crop ratio must be positive, got \(ratio)")
        self.size = size
        self.scale = scale
        self.ratio = ratio
    }

    /// The window `(top, left, height, width)` for an `H × W` image.
    public func sampleWindow(height H: Int, width W: Int, using rng: inout RandomGenerator) -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Double(H * W)
        let logLo = log(ratio.lowerBound), logHi = log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * rng.uniform(scale.lowerBound, scale.upperBound)
            let aspect = exp(rng.uniform(logLo, logHi))
            let w = Int((target * aspect).squareRoot().rounded())
            let h = Int((target / aspect).squareRoot().rounded())
            if w > 0 && w <= W && h > 0 && h <= H {
                let top = rng.nextInt(below: H - h + 1)
                let left = rng.nextInt(below: W - w + 1)
                return (top, left, h, w)
            }
        }
        let inRatio = Double(W) / Double(H)
        var w = W, h = H
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded())
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded())
        }
        return ((H - h) / 2, (W - w) / 2, h, w)
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image {
        let win = sampleWindow(height: image.height, width: image.width, using: &rng)
        return image.resizedCrop(top: win.top, left: win.left, height: win.height, width: win.width,
                                 outHeight: size, outWidth: size)
    }

    public var description: String { "RandomResizedCrop(\(size), scale \(scale), ratio \(ratio))" }
}
