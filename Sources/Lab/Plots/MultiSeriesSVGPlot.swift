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
        let frame = SVGFrame(points: clean.flatMap { $0 }, width: width, height: height, right: 170)
        let (left, top, pw) = (frame.left, frame.top, frame.pw)
        var s = frame.head(title: title, titleX: left + pw / 2, xLabel: xLabel, yLabel: yLabel,
                           yTick: { TextFormat.number($0, digits: 3) })
        for (i, pts) in clean.enumerated() {
            let color = colors[i % colors.count]
            s += frame.line(pts, color: color)
            let ly = top + 10 + Double(i) * 18
            s += "<line x1=\"\(frame.f(left + pw + 15))\" y1=\"\(frame.f(ly))\" x2=\"\(frame.f(left + pw + 40))\" y2=\"\(frame.f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            s += "<text x=\"\(frame.f(left + pw + 46))\" y=\"\(frame.f(ly + 4))\">\(frame.esc(series[i].name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
