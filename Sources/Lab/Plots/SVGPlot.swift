import Foundation

/// A line plot as an SVG document (plain text): axes, the y range and x range as tick labels,
/// a title and the series as one polyline. `logY` plots log10(y).
public enum SVGPlot {
    public static func document(_ points: [(x: Double, y: Double)], title: String, xLabel: String, yLabel: String,
                                logY: Bool = false, width: Int = 640, height: Int = 400) -> String {
        let pts = points.compactMap { p -> (x: Double, y: Double)? in
            let y = logY ? (p.y > 0 ? log10(p.y) : .nan) : p.y
            return p.x.isFinite && y.isFinite ? (p.x, y) : nil
        }
        let frame = SVGFrame(points: pts, width: width, height: height, right: 20)
        var s = frame.head(title: title, titleX: Double(width) / 2, xLabel: xLabel, yLabel: yLabel + (logY ? " (log)" : ""),
                           yTick: { TextFormat.number(logY ? pow(10, $0) : $0, digits: 3) })
        s += frame.line(pts, color: "#1f77b4")
        s += "</svg>\n"
        return s
    }
}
