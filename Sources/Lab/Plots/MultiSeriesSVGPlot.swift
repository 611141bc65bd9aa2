import Foundation

/// Several named line series in one SVG document (plain text), each in its own colour, with a
/// legend, axes and tick labels. Used for curves of several methods on one metric.
public enum MultiSeriesSVGPlot {
    /// One named series.
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// The palette (matplotlib's tab10), used in order and repeated.
    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The SVG document; non-finite points are left out.
    public static func document(_ series: [Series], title: String, xLabel: String, yLabel: String,
                                width: Int = 720, height: Int = 420) -> String {
        let clean = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let all = clean.flatMap { $0 }
        let left = 70.0, right = 170.0, top = 40.0, bottom = 50.0
        let pw = Double(width) - left - right, ph = Double(height) - top - bottom
        var x0 = all.map(\.x).min() ?? 0, x1 = all.map(\.x).max() ?? 1
        var y0 = all.map(\.y).min() ?? 0, y1 = all.map(\.y).max() ?? 1
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func sy(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * ph }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left + pw / 2))" y="22" text-anchor="middle" font-size="15">\(esc(title))</text>
        <line x1="\(f(left))" y1="\(f(top + ph))" x2="\(f(left + pw))" y2="\(f(top + ph))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(top + ph))" stroke="black"/>

        """
        for k in 0...4 {
            let yv = y0 + (y1 - y0) * Double(k) / 4, xv = x0 + (x1 - x0) * Double(k) / 4
            s += "<line x1=\"\(f(left - 4))\" y1=\"\(f(sy(yv)))\" x2=\"\(f(left + pw))\" y2=\"\(f(sy(yv)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(sy(yv) + 4))\" text-anchor=\"end\">\(TextFormat.number(yv, digits: 3))</text>\n"
            s += "<text x=\"\(f(sx(xv)))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(TextFormat.number(xv, digits: 3))</text>\n"
        }
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(Double(height) - 10))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + ph / 2)))\">\(esc(yLabel))</text>\n"
        for (i, pts) in clean.enumerated() {
            let color = colors[i % colors.count]
            let polyline = pts.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(polyline)\"/>\n"
            if pts.count <= 60 {
                for p in pts { s += "<circle cx=\"\(f(sx(p.x)))\" cy=\"\(f(sy(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n" }
            }
            let ly = top + 10 + Double(i) * 18
            s += "<line x1=\"\(f(left + pw + 15))\" y1=\"\(f(ly))\" x2=\"\(f(left + pw + 40))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            s += "<text x=\"\(f(left + pw + 46))\" y=\"\(f(ly + 4))\">\(esc(series[i].name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
