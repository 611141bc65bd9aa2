import Foundation

/// The frame shared by the SVG plots: margins, the data → pixel scale of the finite points, and
/// the document head (title, axes, five grid lines with tick labels, axis labels).
struct SVGFrame {
    let left = 70.0, top = 40.0
    let width: Int, height: Int
    /// Plot area size.
    let pw: Double, ph: Double
    let x0: Double, x1: Double, y0: Double, y1: Double

    /// A frame around `points` (finite ones) with `right` pixels of margin (room for a legend).
    init(points: [(x: Double, y: Double)], width: Int, height: Int, right: Double) {
        self.width = width
        self.height = height
        pw = Double(width) - left - right
        ph = Double(height) - top - 50
        var x0 = points.map(\.x).min() ?? 0, x1 = points.map(\.x).max() ?? 1
        var y0 = points.map(\.y).min() ?? 0, y1 = points.map(\.y).max() ?? 1
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        (self.x0, self.x1, self.y0, self.y1) = (x0, x1, y0, y1)
    }

    func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
    func sy(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * ph }
    func f(_ v: Double) -> String { String(format: "%.2f", v) }
    func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The document up to the data: `<svg>`, background, title at `titleX`, axes, grid and tick
    /// labels (y ticks through `yTick`), axis labels.
    func head(title: String, titleX: Double, xLabel: String, yLabel: String, yTick: (Double) -> String) -> String {
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(titleX))" y="22" text-anchor="middle" font-size="15">\(esc(title))</text>
        <line x1="\(f(left))" y1="\(f(top + ph))" x2="\(f(left + pw))" y2="\(f(top + ph))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + ph))" stroke="black"/>

        """
        for k in 0...4 {
            let yv = y0 + (y1 - y0) * Double(k) / 4, xv = x0 + (x1 - x0) * Double(k) / 4
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(sy(yv)))\" x2=\"\(f(left + pw))\" y2=\"\(f(sy(yv)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(sy(yv) + 4))\" text-anchor=\"end\">\(yTick(yv))</text>\n"
            s += "<text x=\"\(f(sx(xv)))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(TextFormat.number(xv, digits: 3))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(Double(height) - 10))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + ph / 2)))\">\(esc(yLabel))</text>\n"
        return s
    }

    /// One series: a polyline, and dots when there are at most 60 points.
    func line(_ pts: [(x: Double, y: Double)], color: String) -> String {
        var s = "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(pts.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " "))\"/>\n"
        if pts.count <= 60 {
            for p in pts { s += "<circle cx=\"\(f(sx(p.x)))\" cy=\"\(f(sy(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n" }
        }
        return s
    }
}
