import Foundation

/// Figure 2 of the paper at small scale: one figure per metric (loss, positive similarity, kNN
/// top-1 on the reduced bank, effective rank of the test features) with one curve per method,
/// against epochs. With several seeds each point is the mean over seeds. Rendered as braille
/// plots (one small plot per method, all on one y scale per metric) and as SVG files.
public struct ExperimentFigure {
    /// A plotted metric: file name, title, axis label and how to read it from a curve point.
    public struct Metric: Sendable {
        public var file: String
        public var title: String
        /// Whether the terminal plots share one y scale (not for the loss: each method's loss has
        /// its own scale and offset).
        public var sharedScale: Bool
        public var value: @Sendable (CurvePoint) -> Double
    }

    /// The four metrics, in order.
    public static let metrics: [Metric] = [
        Metric(file: "loss", title: "loss (or surrogate)", sharedScale: false, value: { $0.loss }),
        Metric(file: "pos-sim", title: "positive similarity", sharedScale: true, value: { $0.positiveSimilarity }),
        Metric(file: "knn", title: "kNN top-1 (%), reduced bank", sharedScale: true, value: { $0.knnTop1 }),
        Metric(file: "effective-rank", title: "effective rank of test features", sharedScale: true, value: { $0.effectiveRank }),
    ]

    /// One curve per row: (row id, method, points of each seed).
    public let curves: [(label: String, seeds: [[CurvePoint]])]

    public init(results: [ExperimentRunResult], rows: [ExperimentRow]) {
        curves = rows.map { row in
            (row.id == row.method ? row.method : "\(row.id) (\(row.method))",
             results.filter { $0.row == row.id }.sorted { $0.seedIndex < $1.seedIndex }.map(\.curve))
        }
    }

    /// The mean over seeds of `metric` at each point (points are matched by index; a point
    /// missing in some seed is dropped).
    public func series(_ metric: Metric) -> [MultiSeriesSVGPlot.Series] {
        curves.map { c in
            let n = c.seeds.map(\.count).min() ?? 0
            let points = (0..<n).map { i -> (x: Double, y: Double) in
                let values = c.seeds.map { metric.value($0[i]) }
                return (c.seeds[0][i].epoch, values.reduce(0, +) / Double(values.count))
            }
            return MultiSeriesSVGPlot.Series(name: c.label, points: points)
        }
    }

    /// Braille plots: for each metric, one small plot per method (on one scale, except the loss),
    /// two per line, each titled with the method and its last value.
    public func terminalText(plotWidth: Int = 34, plotHeight: Int = 4) -> String {
        var out: [String] = []
        for metric in Self.metrics {
            let all = series(metric)
            let ys = all.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
            let range = (ys.min() ?? 0)...(ys.max() ?? 1)
            out.append("")
            out.append("── \(metric.title) vs epoch ──")
            let plots = all.map { s -> [String] in
                let last = s.points.last.map { TextFormat.number($0.y, digits: 4) } ?? "–"
                return BraillePlot(width: plotWidth, height: plotHeight).render(s.points, title: "\(s.name): \(last)",
                                                                     yRange: metric.sharedScale ? range : nil)
            }
            var i = 0
            while i < plots.count {
                let leftPlot = plots[i], rightPlot = i + 1 < plots.count ? plots[i + 1] : []
                let width = (leftPlot.map(\.count).max() ?? 0) + 4
                for j in 0..<max(leftPlot.count, rightPlot.count) {
                    let l = j < leftPlot.count ? leftPlot[j] : "", r = j < rightPlot.count ? rightPlot[j] : ""
                    out.append(TextFormat.pad(l, width) + r)
                }
                i += 2
            }
        }
        return out.joined(separator: "\n")
    }

    /// Writes `figure2-<metric>.svg` for every metric into `directory`; returns the paths.
    public func writeSVGs(directory: String, prefix: String = "figure2") throws -> [String] {
        try Self.metrics.map { metric in
            let path = (directory as NSString).appendingPathComponent("\(prefix)-\(metric.file).svg")
            let svg = MultiSeriesSVGPlot.document(series(metric), title: metric.title, xLabel: "epoch", yLabel: metric.title)
            do {
                try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw ExperimentError.cannotWrite(path: path)
            }
            return path
        }
    }
}
