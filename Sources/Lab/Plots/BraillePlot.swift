import Foundation

/// A line plot in Unicode braille characters: each character cell holds 2×4 dots, so a
/// `width × height` plot has `2·width × 4·height` points of resolution. Consecutive points are
/// joined by straight lines (Bresenham). The y axis is labelled with its range, the x axis with
/// its first and last value.
///
/// ```
/// loss
///  -0.41 ┤⠑⠢⡀
///        │  ⠈⠢⠤⣀⣀
///  -0.78 ┤      ⠉⠉⠒⠒⠤⠤
///        └────────────
///         0          40
/// ```
public struct BraillePlot {
    public var width: Int
    public var height: Int

    public init(width: Int = 60, height: Int = 12) {
        precondition(width >= 4 && height >= 2, "plot size must be at least 4×2, got \(width)×\(height)")
        self.width = width
        self.height = height
    }

    /// The dot bit of braille cell position (column 0–1, row 0–3) (Unicode braille patterns).
    static func bit(column: Int, row: Int) -> UInt32 {
        let left: [UInt32] = [0x01, 0x02, 0x04, 0x40], right: [UInt32] = [0x08, 0x10, 0x20, 0x80]
        return column == 0 ? left[row] : right[row]
    }

    /// The plot of `points` (x, y) as lines of text; `logY` plots log10(y) (values ≤ 0 are dropped);
    /// `yRange` fixes the y axis (so several plots share one scale; ignored with `logY`).
    public func render(_ points: [(x: Double, y: Double)], title: String, logY: Bool = false,
                       yRange: ClosedRange<Double>? = nil) -> [String] {
        let pts = points.compactMap { p -> (Double, Double)? in
            let y = logY ? (p.y > 0 ? log10(p.y) : .nan) : p.y
            return p.x.isFinite && y.isFinite ? (p.x, y) : nil
        }
        guard let first = pts.first else { return [title, "  (no finite points)"] }
        var x0 = first.0, x1 = first.0, y0 = first.1, y1 = first.1
        for (x, y) in pts { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) }
        if let yRange, !logY { y0 = yRange.lowerBound; y1 = yRange.upperBound }
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        let W = 2 * width, H = 4 * height
        var cells = [[UInt32]](repeating: [UInt32](repeating: 0, count: width), count: height)
        func dot(_ px: Int, _ py: Int) {
            guard px >= 0, px < W, py >= 0, py < H else { return }
            cells[py / 4][px / 2] |= Self.bit(column: px % 2, row: py % 4)
        }
        func pixel(_ x: Double, _ y: Double) -> (Int, Int) {
            (Int(((x - x0) / (x1 - x0) * Double(W - 1)).rounded()), Int(((y1 - y) / (y1 - y0) * Double(H - 1)).rounded()))
        }
        var previous: (Int, Int)?
        for (x, y) in pts {
            let p = pixel(x, y)
            if let q = previous {
                // Bresenham from q to p.
                var (cx, cy) = q
                let dx = abs(p.0 - cx), dy = -abs(p.1 - cy), sx = cx < p.0 ? 1 : -1, sy = cy < p.1 ? 1 : -1
                var err = dx + dy
                while true {
                    dot(cx, cy)
                    if cx == p.0 && cy == p.1 { break }
                    let e2 = 2 * err
                    if e2 >= dy { err += dy; cx += sx }
                    if e2 <= dx { err += dx; cy += sy }
                }
            } else {
                dot(p.0, p.1)
            }
            previous = p
        }
        func label(_ v: Double) -> String { TextFormat.number(logY ? pow(10, v) : v, digits: 3) }
        let top = label(y1), bottom = label(y0)
        let margin = max(top.count, bottom.count) + 1
        var lines = [title + (logY ? " (log scale)" : "")]
        for (r, row) in cells.enumerated() {
            let axis: String
            if r == 0 { axis = TextFormat.lpad(top, margin - 1) + " ┤" }
            else if r == height - 1 { axis = TextFormat.lpad(bottom, margin - 1) + " ┤" }
            else { axis = String(repeating: " ", count: margin) + "│" }
            lines.append(axis + String(String.UnicodeScalarView(row.compactMap { Unicode.Scalar(0x2800 + $0) })))
        }
        lines.append(String(repeating: " ", count: margin) + "└" + String(repeating: "─", count: width))
        let left = TextFormat.number(x0, digits: 3), right = TextFormat.number(x1, digits: 3)
        lines.append(String(repeating: " ", count: margin + 1) + left
                     + String(repeating: " ", count: max(1, width - left.count - right.count)) + right)
        return lines
    }
}
