import Foundation

/// A line plot as an SVG document (plain text): axes, the y range and x range as tick labels,
/// a title and the series as one polyline. `logY` plots log10(y).
public enum SVGPlot {
    public static func document(_ points: [(x: Double, y: Double)], title: String, xLabel: String, yLabel: String,
                                logY: Bool = false, width: Int = 640, height: Int = 400) -> String {
        let pts = points.compactMap { p -> (Double, Double)? in
            let y = logY ? (p.y > 0 ? log10(p.y) : .nan) : p.y
            return p.x.isFinite && y.isFinite ? (p.x, y) : nil
        }
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        var x0 = pts.map(\.0).min() ?? 0, x1 = pts.map(\.0).max() ?? 1
        var y0 = pts.map(\.1).min() ?? 0, y1 = pts.map(\.1).max() ?? 1
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func sy(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * ph }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        func tick(_ v: Double) -> String { TextFormat.number(logY ? pow(10, v) : v, digits: 3) }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(Double(width) / 2))" y="22" text-anchor="middle" font-size="15">\(esc(title))</text>
        <line x1="\(f(left))" y1="\(f(top + ph))" x2="\(f(left + pw))" y2="\(f(top + ph))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + ph))" stroke="black"/>

        """
        for k in 0...4 {
            let yv = y0 + (y1 - y0) * Double(k) / 4, xv = x0 + (x1 - x0) * Double(k) / 4
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(sy(yv)))\" x2=\"\(f(left + pw))\" y2=\"\(f(sy(yv)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(sy(yv) + 4))\" text-anchor=\"end\">\(tick(yv))</text>\n"
            s += "<text x=\"\(f(sx(xv)))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(TextFormat.number(xv, digits: 3))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(Double(height) - 10))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + ph / 2)))\">\(esc(yLabel + (logY ? " (log)" : "")))</text>\n"
        let polyline = pts.map { "\(f(sx($0.0))),\(f(sy($0.1)))" }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(polyline)\"/>\n"
        if pts.count <= 60 {
            for p in pts { s += "<circle cx=\"\(f(sx(p.0)))\" cy=\"\(f(sy(p.1)))\" r=\"2.5\" fill=\"#1f77b4\"/>\n" }
        }
        s += "</svg>\n"
        return s
    }
}
