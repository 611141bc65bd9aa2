import Foundation
import TensorCore

/// A synthetic image dataset with real class structure, drawn in process: ten procedurally drawn
/// shape classes whose position, scale, rotation, stroke width and brightness vary, on a noisy
/// background.
///
/// Each shape is a signed distance function `d(p)` (in pixels, negative inside) of the point `p`
/// in the shape's own frame, `p = R(−θ)(x − centre)`; the pixel's coverage is the anti-aliased
/// `α = clamp(½ − d, 0, 1)` and its value `background + α·(foreground − background) + noise`.
/// Distance functions after Quílez, "2D distance functions" (iquilezles.org).
///
/// Image `i` of a dataset made with `seed` depends only on `(seed, i)`; its label is `i mod 10`,
/// so every class has the same number of images.
public struct SyntheticShapes: Sendable, Equatable {
    /// The ten class names, in label order.
    public static let classNames = [
        "circle", "ring", "square", "hollow square", "triangle",
        "cross", "bar pair", "vertical stripes", "diagonal line", "dot grid",
    ]

    /// Image side in pixels (28 for the grayscale set, 32 for the colour set).
    public var size: Int
    /// 1 (grayscale) or 3 (colour: random foreground and background colours).
    public var channels: Int
    /// Largest shift of the shape's centre from the image centre, as a fraction of `size`.
    public var maxShift: Double = 0.14
    /// Range of the shape's half-extent, as a fraction of `size`.
    public var scale: ClosedRange<Double> = 0.2...0.36
    /// Largest rotation in radians (either way); small enough that oriented classes keep their
    /// orientation.
    public var maxRotation: Double = 0.35
    /// Range of the stroke width of outline shapes, in pixels at 28 px (scaled with `size`).
    public var strokeWidth: ClosedRange<Double> = 1.6...3.2
    /// Range of the foreground brightness (grayscale) or colour value.
    public var foreground: ClosedRange<Double> = 0.6...1.0
    /// Range of the background brightness.
    public var background: ClosedRange<Double> = 0.0...0.25
    /// Standard deviation of the additive Gaussian pixel noise.
    public var noise: Double = 0.05

    /// The grayscale 1×28×28 configuration (or colour 3×32×32 with `channels: 3, size: 32`).
    public init(size: Int = 28, channels: Int = 1) {
        precondition(size >= 8, "synthetic images need at least 8 px, got \(size)")
        precondition(channels == 1 || channels == 3, "synthetic images have 1 or 3 channels, got \(channels)")
        self.size = size
        self.channels = channels
    }

    /// The colour configuration: 3×32×32.
    public static var color32: SyntheticShapes { SyntheticShapes(size: 32, channels: 3) }

    /// `count` images, image `i` of class `i mod 10`, stored as 8-bit samples.
    public func dataset(count: Int, seed: UInt64, name: String? = nil) -> ImageDataset {
        precondition(count >= 0, "count must be non-negative, got \(count)")
        let n = channels * size * size
        var bytes = [UInt8](repeating: 0, count: count * n)
        var labels = [Int](repeating: 0, count: count)
        bytes.withUnsafeMutableBufferPointer { dst in
            for i in 0..<count {
                let label = i % Self.classNames.count
                labels[i] = label
                let image = self.image(index: i, label: label, seed: seed)
                image.pixels.withUnsafeBufferPointer { src in
                    for k in 0..<n { dst[i * n + k] = UInt8((min(max(src[k], 0), 1) * 255).rounded()) }
                }
            }
        }
        return ImageDataset(name: name ?? "synthetic-shapes/\(seed)", channels: channels, height: size,
                            width: size, storage: .uint8(bytes), labels: labels, classNames: Self.classNames)
    }

    /// Image `index` of class `label` for `seed` (samples in `[0, 1]`).
    public func image(index: Int, label: Int, seed: UInt64) -> Image {
        var rng = RandomGenerator(seed: SeedMixer.mix(seed, 0x5348_4150_4553, UInt64(index)))
        return draw(label: label, using: &rng)
    }

    /// A fresh random image of class `label`.
    public func draw(label: Int, using rng: inout RandomGenerator) -> Image {
        precondition(label >= 0 && label < Self.classNames.count, "label \(label) out of range 0..<10")
        let s = Double(size)
        let cx = s / 2 + rng.uniform(-maxShift, maxShift) * s
        let cy = s / 2 + rng.uniform(-maxShift, maxShift) * s
        let r = rng.uniform(scale.lowerBound, scale.upperBound) * s
        let theta = rng.uniform(-maxRotation, maxRotation)
        let w = rng.uniform(strokeWidth.lowerBound, strokeWidth.upperBound) * s / 28
        let shape = Shape(label: label, r: r, w: w)
        var fg: [Double], bg: [Double]
        if channels == 1 {
            fg = [rng.uniform(foreground.lowerBound, foreground.upperBound)]
            bg = [rng.uniform(background.lowerBound, background.upperBound)]
        } else {
            fg = hsvToRGB(h: rng.nextUniform(), s: rng.uniform(0.5, 1), v: rng.uniform(foreground.lowerBound, foreground.upperBound))
            bg = hsvToRGB(h: rng.nextUniform(), s: rng.uniform(0, 0.6), v: rng.uniform(background.lowerBound, background.upperBound))
        }
        let cosT = cos(theta), sinT = sin(theta)
        let plane = size * size
        var px = [Float](repeating: 0, count: channels * plane)
        px.withUnsafeMutableBufferPointer { out in
            for y in 0..<size {
                for x in 0..<size {
                    // Pixel centres at (x + ½, y + ½); rotate into the shape's frame.
                    let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                    let px = cosT * dx + sinT * dy, py = -sinT * dx + cosT * dy
                    let alpha = min(max(0.5 - shape.distance(px, py), 0), 1)
                    for c in 0..<channels {
                        let v = bg[c] + alpha * (fg[c] - bg[c]) + noise * rng.nextNormal()
                        out[c * plane + y * size + x] = Float(min(max(v, 0), 1))
                    }
                }
            }
        }
        return Image(channels: channels, height: size, width: size, pixels: px)
    }
}

/// The signed distance function of one class, with its size `r` and stroke width `w` in pixels.
private struct Shape {
    let label: Int
    let r: Double
    let w: Double

    func distance(_ x: Double, _ y: Double) -> Double {
        switch label {
        case 0: // filled disc
            return (x * x + y * y).squareRoot() - r
        case 1: // ring
            return abs((x * x + y * y).squareRoot() - 0.85 * r) - w / 2
        case 2: // filled square
            return box(x, y, 0.8 * r, 0.8 * r)
        case 3: // hollow square
            return abs(box(x, y, 0.8 * r, 0.8 * r)) - w / 2
        case 4: // filled equilateral triangle pointing up (image y grows downwards)
            return triangle(x, -y, 0.95 * r)
        case 5: // plus-shaped cross
            let t = max(w / 2, 0.18 * r)
            return min(box(x, y, r, t), box(x, y, t, r))
        case 6: // two horizontal bars
            let t = max(w / 2, 0.16 * r)
            return min(box(x, y - 0.5 * r, r, t), box(x, y + 0.5 * r, r, t))
        case 7: // three vertical stripes
            let t = min(max(w / 2, 0.11 * r), 0.17 * r)
            return min(box(x + 0.66 * r, y, t, r), box(x, y, t, r), box(x - 0.66 * r, y, t, r))
        case 8: // one diagonal line from bottom-left to top-right
            return segment(x, y, -r, r, r, -r) - max(w / 2, 0.12 * r)
        default: // 3×3 grid of dots
            let spacing = 0.7 * r, radius = max(0.17 * r, 1.1)
            var d = Double.infinity
            for gy in -1...1 {
                for gx in -1...1 {
                    let ex = x - Double(gx) * spacing, ey = y - Double(gy) * spacing
                    d = min(d, (ex * ex + ey * ey).squareRoot() - radius)
                }
            }
            return d
        }
    }

    /// Axis-aligned box of half-sizes `(bx, by)`.
    private func box(_ x: Double, _ y: Double, _ bx: Double, _ by: Double) -> Double {
        let qx = abs(x) - bx, qy = abs(y) - by
        let ox = max(qx, 0), oy = max(qy, 0)
        return (ox * ox + oy * oy).squareRoot() + min(max(qx, qy), 0)
    }

    /// Segment from `(ax, ay)` to `(bx, by)` (zero thickness).
    private func segment(_ x: Double, _ y: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
        let px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay
        let h = min(max((px * dx + py * dy) / (dx * dx + dy * dy), 0), 1)
        let ex = px - h * dx, ey = py - h * dy
        return (ex * ex + ey * ey).squareRoot()
    }

    /// Equilateral triangle of half side `r`, centred, apex up in y-up coordinates.
    private func triangle(_ x0: Double, _ y0: Double, _ r: Double) -> Double {
        let k = 3.0.squareRoot()
        var x = abs(x0) - r
        var y = y0 + r / k
        if x + k * y > 0 {
            (x, y) = ((x - k * y) / 2, (-k * x - y) / 2)
        }
        x -= min(max(x, -2 * r), 0)
        let len = (x * x + y * y).squareRoot()
        return y > 0 ? -len : len
    }
}

/// HSV in `[0, 1]³` to RGB.
func hsvToRGB(h: Double, s: Double, v: Double) -> [Double] {
    let h6 = (h - h.rounded(.down)) * 6
    let i = Int(h6.rounded(.down)) % 6
    let f = h6 - h6.rounded(.down)
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch i {
    case 0: return [v, t, p]
    case 1: return [q, v, p]
    case 2: return [p, v, t]
    case 3: return [p, q, v]
    case 4: return [t, p, v]
    default: return [v, p, q]
    }
}
