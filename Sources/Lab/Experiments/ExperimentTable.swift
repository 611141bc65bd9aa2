import Foundation

/// An experiment's table, made only from its runs' results: one line per row with kNN top-1,
/// linear-probe top-1, effective rank and wall time (mean ± sample std over seeds), rendered as
/// Markdown (with the settings on top) and CSV.
public struct ExperimentTable: Sendable {
    /// The settings stated above the table: free lines, then each row's hyper-parameters and lr.
    public struct Settings: Sendable, Equatable {
        public var lines: [String]
        public var rows: [RowSettings]
    }

    /// One row's method hyper-parameters, peak learning rate and extra settings.
    public struct RowSettings: Sendable, Equatable {
        public var row: String
        public var method: String
        public var target: String
        public var parameters: String
        public var learningRate: Double
        public var extra: String
    }

    /// One aggregated line of the table: statistics over the row's finished runs (nil when every
    /// run diverged), wall time over all its runs.
    public struct Line: Sendable, Equatable {
        public var row: ExperimentRow
        public var knn: MeanStd?
        public var linear: MeanStd?
        public var effectiveRank: MeanStd?
        /// Runs that diverged (non-finite loss).
        public var diverged: Int
        public var seconds: MeanStd
        public var runs: [ExperimentRunResult]
    }

    public let experiment: Experiment
    public let settings: Settings
    public let results: [ExperimentRunResult]
    public let lines: [Line]

    /// Aggregates `results` by row (in the experiment's row order). Precondition: every row has
    /// at least one result.
    public init(experiment: Experiment, settings: Settings, results: [ExperimentRunResult]) {
        self.experiment = experiment
        self.settings = settings
        self.results = results
        lines = experiment.rows.map { row in
            let runs = results.filter { $0.row == row.id }.sorted { $0.seedIndex < $1.seedIndex }
            precondition(!runs.isEmpty, "no result for row \(row.id)")
            let finished = runs.filter { $0.failure == nil }
            func stats(_ value: (ExperimentRunResult) -> Double) -> MeanStd? { finished.isEmpty ? nil : MeanStd(finished.map(value)) }
            return Line(row: row, knn: stats { $0.knnTop1 }, linear: stats { $0.linearTop1 }, effectiveRank: stats { $0.effectiveRank },
                        diverged: runs.count - finished.count, seconds: MeanStd(runs.map(\.seconds)), runs: runs)
        }
    }

    /// The Markdown document: title, settings, per-row settings, the table (and for Table 2 the
    /// method × target summaries).
    public func markdown() -> String {
        var s = "# \(experiment.title)\n\n" + Self.settingsMarkdown(settings)
        s += "\n| row | method | target | change from the previous row | kNN top-1 (%) | linear top-1 (%) | eff. rank | wall time (s) |\n"
        s += "|---|---|---|---|---|---|---|---|\n"
        for l in lines {
            let note = l.diverged > 0 && l.knn != nil ? " (\(l.diverged) of \(l.runs.count) runs diverged)" : ""
            s += "| \(l.row.id) | `\(l.row.method)` | \(l.row.target.rawValue) | \(l.row.change) | \(Self.cell(l.knn))\(note) | "
                + "\(Self.cell(l.linear)) | \(Self.cell(l.effectiveRank, decimals: 1)) | \(l.seconds.formatted(decimals: 0)) |\n"
        }
        let failures = results.filter { $0.failure != nil }
        if !failures.isEmpty {
            s += "\nDiverged runs (their metrics are left out):\n\n"
            for r in failures { s += "- \(r.row) seed \(r.seedIndex): \(r.failure ?? "")\n" }
        }
        if experiment.name == "table2" {
            for (title, pick) in [("kNN top-1 (%)", \Line.knn), ("linear top-1 (%)", \Line.linear)] {
                s += "\n\(title) by target branch:\n\n| method | " + Experiment.table2Targets.map(\.rawValue).joined(separator: " | ") + " |\n"
                s += "|---|" + String(repeating: "---|", count: Experiment.table2Targets.count) + "\n"
                for m in Experiment.table2Methods {
                    s += "| `\(m)` |"
                    for t in Experiment.table2Targets {
                        s += " " + (lines.first { $0.row.method == m && $0.row.target == t }.map { Self.cell($0[keyPath: pick]) } ?? "–") + " |"
                    }
                    s += "\n"
                }
            }
        }
        return s
    }

    /// The settings as Markdown: a list of lines, then the per-row hyper-parameters table.
    public static func settingsMarkdown(_ settings: Settings) -> String {
        var s = "Settings:\n\n"
        for l in settings.lines { s += "- \(l)\n" }
        s += "\nPer-row hyper-parameters (catalogue defaults overridden by `Presets.methodDefaults` for this preset):\n\n"
        s += "| row | method | target | hyper-parameters | peak lr | row settings |\n|---|---|---|---|---|---|\n"
        for r in settings.rows {
            s += "| \(r.row) | `\(r.method)` | \(r.target) | \(r.parameters) | \(TextFormat.number(r.learningRate)) | \(r.extra.isEmpty ? "–" : r.extra) |\n"
        }
        return s
    }

    /// The table as CSV: one line per row, means and sample stds (empty for one seed).
    public func csv() -> String {
        var s = "row,method,target,change,seeds,diverged,knn_top1_mean,knn_top1_std,linear_top1_mean,linear_top1_std,"
            + "effective_rank_mean,effective_rank_std,seconds_mean,seconds_std\n"
        for l in lines {
            let fields = [l.row.id, l.row.method, l.row.target.rawValue, l.row.change, String(l.runs.count), String(l.diverged)]
                + [l.knn, l.linear, l.effectiveRank, l.seconds].flatMap { [$0.map { Self.number($0.mean) } ?? "", $0?.std.map(Self.number) ?? ""] }
            s += fields.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return s
    }

    /// Every run as CSV, one line per row and seed.
    public func runsCSV() -> String {
        var s = "row,seed_index,seed,method,target,parameters,learning_rate,knn_top1,linear_top1,effective_rank,"
            + "feature_std,final_loss,final_pos_sim,steps,seconds\n"
        for l in lines {
            for r in l.runs {
                let fields = [r.row, String(r.seedIndex), String(r.seed), r.method, r.target, r.parameters]
                    + [r.learningRate, r.knnTop1, r.linearTop1, r.effectiveRank, r.featureStd, r.finalLoss,
                       r.finalPositiveSimilarity].map(Self.number) + [String(r.steps), Self.number(r.seconds)]
                s += fields.map(Self.csvField).joined(separator: ",") + "\n"
            }
        }
        return s
    }

    /// A Markdown cell: `mean ± std`, or `diverged` when no run finished.
    static func cell(_ m: MeanStd?, decimals: Int = 2) -> String { m?.formatted(decimals: decimals) ?? "diverged" }

    /// Shortest round-tripping text of a number (`nan` for NaN).
    static func number(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }

    /// An RFC 4180 field: quoted when it holds a comma, quote or newline.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
