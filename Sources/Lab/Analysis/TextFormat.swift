import Foundation
import TensorCore

/// Small text helpers for tables: fixed-width numbers and padded columns.
enum TextFormat {
    /// `x` with `digits` significant digits (`1.235e-05` for small or large magnitudes).
    static func number(_ x: Double, digits: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        if x == x.rounded() && abs(x) < 1e5 { return String(Int(x)) }
        let a = abs(x)
        if a >= 1e-3 && a < 1e5 {
            let decimals = max(0, digits - 1 - Int(floor(log10(a))))
            return String(format: "%.\(decimals)f", x)
        }
        return String(format: "%.\(max(0, digits - 1))e", x)
    }

    /// `s` padded on the right to `width` characters.
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// `s` padded on the left to `width` characters.
    static func lpad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// A shape as `64×16×14×14`.
    static func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
}

/// Summary statistics of a tensor: what `forward` and `inspect` print for every activation.
struct TensorStatistics: Equatable {
    var shape: [Int]
    var mean, std, min, max: Double
    /// The fraction of entries that are exactly zero (dead units after a ReLU).
    var zeroFraction: Double

    init<Scalar: BLASScalar>(_ t: Tensor<Scalar>) {
        shape = t.shape
        let n = Double(Swift.max(t.count, 1))
        var sum = 0.0, sumSq = 0.0, lo = Double.infinity, hi = -Double.infinity, zeros = 0
        for v in t.scalars {
            let x = Double(v)
            sum += x; sumSq += x * x
            lo = Swift.min(lo, x); hi = Swift.max(hi, x)
            if x == 0 { zeros += 1 }
        }
        mean = sum / n
        std = Swift.max(0, sumSq / n - mean * mean).squareRoot()
        min = t.count == 0 ? 0 : lo
        max = t.count == 0 ? 0 : hi
        zeroFraction = Double(zeros) / n
    }

    /// `shape 64×32  mean 0.0123  std 0.9876  min -2.345  max 3.456  zeros 0.0%`
    var line: String {
        TextFormat.pad(TextFormat.shape(shape), 14)
            + "  mean " + TextFormat.lpad(TextFormat.number(mean), 10)
            + "  std " + TextFormat.lpad(TextFormat.number(std), 9)
            + "  min " + TextFormat.lpad(TextFormat.number(min), 10)
            + "  max " + TextFormat.lpad(TextFormat.number(max), 9)
            + "  zeros " + TextFormat.lpad(String(format: "%.1f%%", zeroFraction * 100), 6)
    }
}

extension Tensor {
    /// The first `count` entries of row `i` (all of a rank-1 tensor), formatted.
    func previewRow(_ i: Int, count: Int = 8) -> String {
        let values: [Scalar] = rank <= 1 ? Array(scalars.prefix(count)) : Array(row(i).prefix(count))
        let total = rank <= 1 ? self.count : columns
        return "[" + values.map { TextFormat.number(Double($0)) }.joined(separator: ", ") + (total > count ? ", …]" : "]")
    }
}
