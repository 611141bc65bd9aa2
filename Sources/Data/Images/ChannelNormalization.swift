/// Per-channel standardisation `x̂_c = (x_c − mean_c) / std_c`, applied to images before they go
/// to the network (torchvision's `Normalize`).
///
/// Statistics are either given (e.g. ImageNet's) or computed from the training set with
/// ``ImageDataset/channelStatistics()``.
public struct ChannelNormalization: Equatable, Sendable, Codable {
    /// Mean of each channel, in the `[0, 1]` pixel scale.
    public var mean: [Float]
    /// Standard deviation of each channel, in the `[0, 1]` pixel scale.
    public var std: [Float]

    /// A normalisation with the given per-channel mean and standard deviation.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty,
                     "normalisation needs one mean and one std per channel, got \(mean.count) and \(std.count)")
        precondition(std.allSatisfy { $0 > 0 && $0.isFinite }, "normalisation std must be positive, got \(std)")
        self.mean = mean
        self.std = std
    }

    /// No change: mean 0 and std 1 for each of `channels` channels.
    public static func identity(channels: Int) -> ChannelNormalization {
        ChannelNormalization(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels))
    }

    /// ImageNet statistics (torchvision): mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
    public static let imageNet = ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Number of channels.
    public var channels: Int { mean.count }

    /// Writes `(x − mean_c)/std_c` of `image` into `destination[offset ..< offset + C·H·W]`.
    public func normalize(_ image: Image, into destination: UnsafeMutableBufferPointer<Float>, offset: Int) {
        precondition(image.channels == channels,
                     "normalisation has \(channels) channels, image has \(image.channels)")
        precondition(offset >= 0 && offset + image.pixels.count <= destination.count,
                     "normalize: \(image.pixels.count) values at offset \(offset) overflow a buffer of \(destination.count)")
        let n = image.planeSize
        image.pixels.withUnsafeBufferPointer { src in
            for c in 0..<channels {
                let m = mean[c], inv = 1 / std[c]
                let base = c * n
                for i in 0..<n { destination[offset + base + i] = (src[base + i] - m) * inv }
            }
        }
    }

    /// The normalised image `(x − mean_c)/std_c`.
    public func normalized(_ image: Image) -> Image {
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { normalize(image, into: $0, offset: 0) }
        return out
    }

    /// The inverse map `x = x̂·std_c + mean_c`, e.g. to display a network input.
    public func denormalized(_ image: Image) -> Image {
        precondition(image.channels == channels,
                     "normalisation has \(channels) channels, image has \(image.channels)")
        var out = image
        let n = image.planeSize
        for c in 0..<channels {
            for i in 0..<n { out.pixels[c * n + i] = image.pixels[c * n + i] * std[c] + mean[c] }
        }
        return out
    }
}
