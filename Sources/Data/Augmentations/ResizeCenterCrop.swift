import TensorCore

/// The evaluation transform of the official ImageNet pipeline: resize the shorter side to
/// `resize`, then take the centre `size × size` window (torchvision `Resize(256)` +
/// `CenterCrop(224)`; MoCo v2 / UniGrad linear evaluation and kNN).
///
/// For an `H × W` image with `H ≤ W` the resized image is `resize × ⌊resize·W/H⌋` (torchvision's
/// rule), bilinear as in ``Image/resizedCrop(top:left:height:width:outHeight:outWidth:)``; the
/// crop starts at `⌊(H' − size)/2⌋`, `⌊(W' − size)/2⌋`. Deterministic: `rng` is not used.
public struct ResizeCenterCrop: ImageAugmentation {
    /// Output side.
    public var size: Int
    /// Shorter side after the resize (≥ `size`).
    public var resize: Int

    /// Resize to `resize`, crop `size`.
    public init(size: Int, resize: Int) {
        precondition(size > 0 && resize >= size, "ResizeCenterCrop needs 0 < size ≤ resize, got size \(size), resize \(resize)")
        self.size = size
        self.resize = resize
    }

    /// The official proportions for any crop size: `resize = round(256·size/224)` (256 for 224).
    public static func official(size: Int) -> ResizeCenterCrop {
        ResizeCenterCrop(size: size, resize: max(size, Int((256 * Double(size) / 224).rounded())))
    }

    /// The size `(H', W')` after resizing the shorter side of an `H × W` image to `resize`.
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        height <= width ? (resize, max(resize, resize * width / height)) : (max(resize, resize * height / width), resize)
    }

    /// The transformed image.
    public func apply(to image: Image) -> Image {
        let (h, w) = resizedSize(height: image.height, width: image.width)
        let resized = (h == image.height && w == image.width) ? image : image.resized(outHeight: h, outWidth: w)
        return resized.centerCropped(height: size, width: size)
    }

    public func apply(to image: Image, using rng: inout RandomGenerator) -> Image { apply(to: image) }

    public var description: String { "Resize(\(resize)) → CenterCrop(\(size))" }
}
