import Foundation
import SSL

extension Session {
    /// The series a plot shows: its points, title, axis labels and scale.
    struct Series {
        var points: [(x: Double, y: Double)]
        var title: String
        var xLabel: String
        var yLabel: String
        var logY = false
    }

    static let plotNames = ["loss", "possim", "knn", "rank", "std", "spectrum", "lr"]

    /// The series named `name` from the training history, the evaluations or the spectrum.
    func series(_ name: String) throws -> Series {
        let history = state.trainer?.history ?? []
        func needSteps() throws {
            if history.isEmpty { throw LabError("nothing to plot yet: take some steps with 'step' or 'train'") }
        }
        func needEvaluations() throws {
            if state.evaluations.isEmpty { throw LabError("no evaluations yet: 'eval' or 'train' records kNN accuracy and rank") }
        }
        switch name {
        case "loss":
            try needSteps()
            return Series(points: history.map { (Double($0.step), $0.loss) }, title: "\(config.method) loss", xLabel: "step", yLabel: "loss")
        case "possim":
            try needSteps()
            return Series(points: history.map { (Double($0.step), $0.positiveSimilarity) }, title: "positive similarity ½(u1·t2 + u2·t1)",
                          xLabel: "step", yLabel: "cosine")
        case "lr":
            try needSteps()
            return Series(points: history.map { (Double($0.step), $0.learningRate) }, title: "learning rate", xLabel: "step", yLabel: "lr")
        case "knn":
            try needEvaluations()
            return Series(points: state.evaluations.map { (Double($0.step), $0.knnTop1) }, title: "kNN top-1 accuracy (%)", xLabel: "step", yLabel: "%")
        case "rank":
            try needEvaluations()
            return Series(points: state.evaluations.map { (Double($0.step), $0.effectiveRank) }, title: "effective rank of encoder features",
                          xLabel: "step", yLabel: "rank")
        case "std":
            try needEvaluations()
            return Series(points: state.evaluations.map { (Double($0.step), $0.featureStd) }, title: "normalised feature std",
                          xLabel: "step", yLabel: "std")
        case "spectrum":
            if state.spectrum.isEmpty { try evaluate(printing: false) }
            return Series(points: state.spectrum.enumerated().map { (Double($0.offset + 1), $0.element) },
                          title: "singular values of the encoder features (step \(step))", xLabel: "index", yLabel: "σ", logY: true)
        default:
            throw LabError(Suggestions.unknown("plot", name, among: Self.plotNames))
        }
    }
}

extension Commands {
    /// Terminal plots and SVG export.
    static func plotCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("plot", family: "plots", usage: "plot WHAT [FILE.svg]",
                    summary: "plot loss, possim, knn, rank, std, spectrum or lr in the terminal (and save it as SVG)",
                    details: "Braille line plots; the SVG file holds the same series with axes and labels.",
                    example: "plot loss loss.svg", arity: 1...2, completion: [.choices(Session.plotNames), .path]) { s, args in
                let series = try s.series(args[0])
                for line in BraillePlot(width: 60, height: 10).render(series.points, title: series.title, logY: series.logY) {
                    s.print(line)
                }
                let ys = series.points.map(\.y)
                if let first = ys.first, let last = ys.last, let lo = ys.min(), let hi = ys.max() {
                    s.print("\(series.points.count) points: first \(TextFormat.number(first)), last \(TextFormat.number(last)), min \(TextFormat.number(lo)), max \(TextFormat.number(hi))")
                }
                if args.count > 1 {
                    let svg = SVGPlot.document(series.points, title: series.title, xLabel: series.xLabel, yLabel: series.yLabel, logY: series.logY)
                    guard FileManager.default.createFile(atPath: args[1], contents: Data(svg.utf8)) else {
                        throw LabError("cannot write '\(args[1])'")
                    }
                    s.print("wrote \(args[1])")
                }
            },
        ]
    }
}
