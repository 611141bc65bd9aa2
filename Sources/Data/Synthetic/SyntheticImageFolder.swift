/// Writes an ImageNet-style folder (`ROOT/train/CLASS/*.JPEG`, `ROOT/val/CLASS/…`) of colour
/// ``SyntheticShapes`` images: a stand-in for ImageNet that exercises the folder reader, the
/// decoders and the 224-px pipeline without downloading anything.
///
/// Image `i` of a split is drawn at `size × size` from `(seed, split, i)` (class `i mod 10`),
/// then every other image is stretched to `size × ⌊5·size/4⌋` so aspect ratios vary as in real
/// photos. Files are JPEG (quality 90), PNG, or alternately both (`mixed`).
public struct SyntheticImageFolder: Sendable {
    /// The file format of the written images.
    public enum Format: String, Sendable, CaseIterable {
        case jpeg, png, mixed
    }

    /// Shorter image side in pixels.
    public var size: Int
    /// Images per class in `train` and in `val`.
    public var trainPerClass: Int
    public var valPerClass: Int
    public var format: Format
    public var seed: UInt64

    /// A generator of `trainPerClass`/`valPerClass` images per class at `size` px.
    public init(size: Int = 256, trainPerClass: Int = 10, valPerClass: Int = 4, format: Format = .jpeg, seed: UInt64 = 1) {
        precondition(size >= 8, "images need at least 8 px, got \(size)")
        precondition(trainPerClass > 0 && valPerClass > 0, "need at least one image per class and split")
        self.size = size
        self.trainPerClass = trainPerClass
        self.valPerClass = valPerClass
        self.format = format
        self.seed = seed
    }

    /// The folder name of each class (`SyntheticShapes.classNames` with spaces as `_`).
    public static var classFolders: [String] {
        SyntheticShapes.classNames.map { $0.replacingOccurrences(of: " ", with: "_") }
    }

    /// Writes both splits under `root` (created if needed); returns the number of files written.
    @discardableResult
    public func write(to root: String) throws(DataError) -> Int {
        var written = 0
        let shapes = SyntheticShapes(size: size, channels: 3)
        let classes = Self.classFolders
        for (splitIndex, (split, perClass)) in [("train", trainPerClass), ("val", valPerClass)].enumerated() {
            for c in classes { try FileBytes.makeDirectory("\(root)/\(split)/\(c)") }
            let splitSeed = SeedMixer.mix(seed, UInt64(splitIndex), 0x464f_4c44)
            for i in 0..<(perClass * classes.count) {
                let label = i % classes.count
                var image = shapes.image(index: i, label: label, seed: splitSeed)
                if i / classes.count % 2 == 1 { image = image.resized(outHeight: size, outWidth: size * 5 / 4) }
                let jpeg = format == .jpeg || (format == .mixed && i % 2 == 0)
                let path = "\(root)/\(split)/\(classes[label])/\(split)_\(i)." + (jpeg ? "JPEG" : "png")
                if jpeg {
                    try JPEGCodec.write(image.uint8Image, to: path, quality: 90)
                } else {
                    try PNGCodec.write(image.uint8Image, to: path)
                }
                written += 1
            }
        }
        return written
    }
}
