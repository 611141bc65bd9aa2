/// One image in planar `(C, H, W)` layout with `Float` samples, nominally in `[0, 1]`.
///
/// This is the working format of every augmentation: `pixels[(c·H + y)·W + x]` is channel `c`
/// of the pixel in row `y`, column `x` (the layout of one sample of a `(N, C, H, W)` tensor).
///
/// ```swift
/// var image = Image(channels: 1, height: 28, width: 28)
/// image[0, 3, 4] = 1      // one white pixel
/// ```
public struct Image: Equatable, Sendable {
    /// Number of channels `C` (1 for grayscale, 3 for RGB).
    public let channels: Int
    /// Number of rows `H`.
    public let height: Int
    /// Number of columns `W`.
    public let width: Int
    /// The samples in `(C, H, W)` order; `pixels.count == C·H·W`.
    public var pixels: [Float]

    /// An image holding `pixels` in `(C, H, W)` order.
    public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
        precondition(channels > 0 && height > 0 && width > 0,
                     "image dimensions must be positive, got C=\(channels) H=\(height) W=\(width)")
        precondition(pixels.count == channels * height * width,
                     "image \(channels)×\(height)×\(width) needs \(channels * height * width) pixels, got \(pixels.count)")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// An image filled with `value`.
    public init(channels: Int, height: Int, width: Int, repeating value: Float = 0) {
        self.init(channels: channels, height: height, width: width,
                  pixels: Array(repeating: value, count: channels * height * width))
    }

    /// `H·W`, the number of samples in one channel plane.
    @inlinable public var planeSize: Int { height * width }

    /// The sample of channel `c` at row `y`, column `x`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get {
            precondition(c >= 0 && c < channels && y >= 0 && y < height && x >= 0 && x < width,
                         "pixel (\(c), \(y), \(x)) outside \(channels)×\(height)×\(width)")
            return pixels[(c * height + y) * width + x]
        }
        set {
            precondition(c >= 0 && c < channels && y >= 0 && y < height && x >= 0 && x < width,
                         "pixel (\(c), \(y), \(x)) outside \(channels)×\(height)×\(width)")
            pixels[(c * height + y) * width + x] = newValue
        }
    }

    /// The mean of each channel.
    public var channelMeans: [Float] {
        let n = planeSize
        return (0..<channels).map { c in
            var s: Double = 0
            for i in 0..<n { s += Double(pixels[c * n + i]) }
            return Float(s / Double(n))
        }
    }

    /// The smallest and largest sample.
    public var range: (min: Float, max: Float) {
        var lo = Float.infinity, hi = -Float.infinity
        for v in pixels { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
        return (lo, hi)
    }
}

/// One image in planar `(C, H, W)` layout with 8-bit samples (0 = black, 255 = white), as stored
/// in IDX, CIFAR-10 and PNG files.
public struct UInt8Image: Equatable, Sendable {
    /// Number of channels `C`.
    public let channels: Int
    /// Number of rows `H`.
    public let height: Int
    /// Number of columns `W`.
    public let width: Int
    /// The samples in `(C, H, W)` order.
    public var pixels: [UInt8]

    /// An 8-bit image holding `pixels` in `(C, H, W)` order.
    public init(channels: Int, height: Int, width: Int, pixels: [UInt8]) {
        precondition(channels > 0 && height > 0 && width > 0,
                     "image dimensions must be positive, got C=\(channels) H=\(height) W=\(width)")
        precondition(pixels.count == channels * height * width,
                     "image \(channels)×\(height)×\(width) needs \(channels * height * width) pixels, got \(pixels.count)")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// The image with samples mapped to `[0, 1]` by `x / 255`.
    public var floatImage: Image {
        Image(channels: channels, height: height, width: width,
              pixels: pixels.map { Float($0) * (1 / 255) })
    }
}

extension Image {
    /// The image quantised to 8 bits: `round(255 · clamp(x, 0, 1))`.
    public var uint8Image: UInt8Image {
        UInt8Image(channels: channels, height: height, width: width,
                   pixels: pixels.map { UInt8((Swift.min(Swift.max($0, 0), 1) * 255).rounded()) })
    }
}
