/// How `Float` samples map to display intensities in `[0, 1]` (for PNG files and terminal
/// images).
public enum IntensityScaling: Equatable, Sendable {
    /// Samples are already in `[0, 1]`; values outside are clamped.
    case unit
    /// The image's own minimum maps to 0 and maximum to 1 (a constant image maps to ½).
    case minMax
    /// `low` maps to 0 and `high` to 1, values outside clamped.
    case range(low: Float, high: Float)

    /// The affine map `v ↦ a·v + b` (before clamping to `[0, 1]`) for `image`.
    func affine(for image: Image) -> (a: Float, b: Float) {
        switch self {
        case .unit:
            return (1, 0)
        case .minMax:
            let (lo, hi) = image.range
            guard hi > lo, lo.isFinite, hi.isFinite else { return (0, 0.5) }
            return (1 / (hi - lo), -lo / (hi - lo))
        case let .range(low, high):
            precondition(high > low, "intensity range must have high > low, got \(low)…\(high)")
            return (1 / (high - low), -low / (high - low))
        }
    }

    /// The image quantised to 8 bits under this scaling.
    public func quantize(_ image: Image) -> UInt8Image {
        let (a, b) = affine(for: image)
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<p.count {
                let v = a * p[i] + b
                out[i] = v.isNaN ? 0 : UInt8((min(max(v, 0), 1) * 255).rounded())
            }
        }
        return UInt8Image(channels: image.channels, height: image.height, width: image.width, pixels: out)
    }
}
