import TensorCore

/// Two augmented views of a batch, ready for a Siamese network.
public struct TwoViewBatch: Equatable, Sendable {
    /// The first views, normalised, `(N, C, H, W)`.
    public var view1: Tensor<Float>
    /// The second views, normalised, `(N, C, H, W)`.
    public var view2: Tensor<Float>
    /// The class label of each sample (for monitoring only; SSL does not use them).
    public var labels: [Int]
    /// The dataset index of each sample.
    public var indices: [Int]

    /// The number of samples `N`.
    public var count: Int { indices.count }
}

/// Independent augmentation pipelines for the two views of SSL (SimCLR, Chen et al. 2020), plus
/// the per-channel normalisation applied after augmentation.
///
/// Sample `i` of epoch `e` under seed `s` uses the generator `RandomGenerator(seed:
/// SeedMixer.mix(s, e, i))`; view 1 and view 2 draw from two generators split from it. Its views
/// therefore depend only on `(s, e, i)`, never on batch composition or threads.
public struct TwoViewPipeline: Sendable, CustomStringConvertible {
    /// The transforms of the first view, in order.
    public var view1: [any ImageAugmentation]
    /// The transforms of the second view, in order.
    public var view2: [any ImageAugmentation]
    /// The normalisation applied to both views.
    public var normalization: ChannelNormalization

    /// Different pipelines for the two views (e.g. BYOL's asymmetric blur/solarisation).
    public init(view1: [any ImageAugmentation], view2: [any ImageAugmentation], normalization: ChannelNormalization) {
        self.view1 = view1
        self.view2 = view2
        self.normalization = normalization
    }

    /// The same pipeline for both views.
    public init(both: [any ImageAugmentation], normalization: ChannelNormalization) {
        self.init(view1: both, view2: both, normalization: normalization)
    }

    /// The two un-normalised views of one image.
    public func views(of image: Image, using rng: inout RandomGenerator) -> (Image, Image) {
        var r1 = rng.split(), r2 = rng.split()
        var a = image, b = image
        for t in view1 { a = t.apply(to: a, using: &r1) }
        for t in view2 { b = t.apply(to: b, using: &r2) }
        return (a, b)
    }

    /// The generator of sample `index` in `epoch` under `seed`.
    public static func sampleGenerator(seed: UInt64, epoch: Int, index: Int) -> RandomGenerator {
        RandomGenerator(seed: SeedMixer.mix(seed, UInt64(truncatingIfNeeded: epoch), UInt64(truncatingIfNeeded: index)))
    }

    /// The two un-normalised views of dataset image `index` in `epoch` under `seed`.
    public func views(of dataset: ImageDataset, index: Int, seed: UInt64, epoch: Int) -> (Image, Image) {
        var rng = Self.sampleGenerator(seed: seed, epoch: epoch, index: index)
        return views(of: dataset.image(at: index), using: &rng)
    }

    /// Two normalised views of the images `indices`, as `(N, C, H, W)` tensors.
    ///
    /// Every view must come out at the same size (end the pipeline with a crop or resize).
    public func makeBatch(from dataset: ImageDataset, indices: [Int], seed: UInt64, epoch: Int) -> TwoViewBatch {
        precondition(!indices.isEmpty, "a batch needs at least one index")
        var out1 = [Float](), out2 = [Float]()
        var shape = [Int]()
        for (row, index) in indices.enumerated() {
            let (a, b) = views(of: dataset, index: index, seed: seed, epoch: epoch)
            if row == 0 {
                shape = [indices.count, a.channels, a.height, a.width]
                out1 = [Float](repeating: 0, count: indices.count * a.pixels.count)
                out2 = out1
            }
            let n = shape[1] * shape[2] * shape[3]
            precondition(a.channels == shape[1] && a.height == shape[2] && a.width == shape[3]
                         && b.channels == shape[1] && b.height == shape[2] && b.width == shape[3],
                         "views differ in size: \(a.channels)×\(a.height)×\(a.width) and \(b.channels)×\(b.height)×\(b.width), expected \(shape.dropFirst())")
            out1.withUnsafeMutableBufferPointer { normalization.normalize(a, into: $0, offset: row * n) }
            out2.withUnsafeMutableBufferPointer { normalization.normalize(b, into: $0, offset: row * n) }
        }
        return TwoViewBatch(view1: Tensor(shape: shape, scalars: out1), view2: Tensor(shape: shape, scalars: out2),
                            labels: indices.map { dataset.labels[$0] }, indices: indices)
    }

    public var description: String {
        "view 1: \(view1.map(\.description).joined(separator: " → "))\nview 2: \(view2.map(\.description).joined(separator: " → "))"
    }
}

extension TwoViewPipeline {
    /// The `small` preset for both views (see ``AugmentationPreset/small(size:cropScale:jitter:jitterProbability:flipProbability:)``).
    public static func small(normalization: ChannelNormalization, size: Int = 28) -> TwoViewPipeline {
        TwoViewPipeline(both: AugmentationPreset.small(size: size), normalization: normalization)
    }

    /// The MoCo-v2 preset for both views (see ``AugmentationPreset/mocoV2(size:cropScale:jitter:jitterProbability:grayscaleProbability:blurProbability:blurSigma:flipProbability:)``).
    public static func mocoV2(normalization: ChannelNormalization, size: Int) -> TwoViewPipeline {
        TwoViewPipeline(both: AugmentationPreset.mocoV2(size: size), normalization: normalization)
    }
}
