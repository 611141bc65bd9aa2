import Foundation
import SSL
import Methods

/// The shared settings of an experiment: the preset, the schedule, the seeds and any extra
/// `key=value` settings, and how each row's `TrainingConfig` is built from them.
///
/// Every row starts from the same configuration — `Presets.config(preset)` with `epochs`,
/// `subset` and the extra settings applied — so the rows differ only in the method, its
/// hyper-parameters (`Presets.methodDefaults(preset:method:)` over the catalogue's defaults)
/// and the target branch, plus the row's own settings (row (c)'s predictor). Seed `k` of a row
/// trains with `seed = baseSeed + k` (the preset's seed, 42, unless `--set seed=` changes it).
public struct ExperimentSettings: Equatable, Sendable {
    public var preset: String
    /// Training epochs (nil: `defaultSchedule(preset:)`).
    public var epochs: Int?
    /// Training images (nil: `defaultSchedule(preset:)`; 0: all).
    public var subset: Int?
    /// Seeds per row (≥ 1); several give mean ± sample standard deviation.
    public var seeds: Int
    /// Extra `key=value` settings: config keys apply to every row, method hyper-parameters to the
    /// rows whose method has that key.
    public var assignments: [String]
    /// Curve points per epoch when the experiment records curves (`figure2`).
    public var curvePointsPerEpoch: Int
    /// Training images in the reduced kNN bank of curve points, and test images queried.
    public var curveBank: Int
    public var curveTest: Int
    /// Checkpoint every this many steps (and at each epoch end and on interruption).
    public var checkpointEvery: Int

    public init(preset: String, epochs: Int? = nil, subset: Int? = nil, seeds: Int = 1, assignments: [String] = [],
                curvePointsPerEpoch: Int = 4, curveBank: Int = 5000, curveTest: Int = 2000, checkpointEvery: Int = 100) {
        self.preset = preset
        self.epochs = epochs
        self.subset = subset
        self.seeds = seeds
        self.assignments = assignments
        self.curvePointsPerEpoch = curvePointsPerEpoch
        self.curveBank = curveBank
        self.curveTest = curveTest
        self.checkpointEvery = checkpointEvery
    }

    /// The default schedule of an experiment on `preset`: `(epochs, subset)`.
    ///
    /// `small`: 3 epochs on the first 20 000 Fashion-MNIST training images (156 steps of 128 per
    /// epoch, 468 steps per row). At ≈ 0.6 s per step on an idle 2-core machine a row trains in
    /// ≈ 4.7 min and evaluates (kNN with the 20 000-image bank on the 10 000 test images, linear
    /// probe) in ≈ 0.5 min, so the 11 rows of Table 1 take about an hour. Other presets keep their
    /// own schedule and all their images.
    public static func defaultSchedule(preset: String) -> (epochs: Int, subset: Int) {
        switch preset {
        case "small": return (3, 20_000)
        default: return (Presets.config(preset)?.epochs ?? 1, 0)
        }
    }

    /// The shared configuration before any row: the preset, the schedule, evaluation only at
    /// the end, and the extra config-key settings.
    public func baseConfig() throws -> TrainingConfig {
        guard var c = Presets.config(preset) else {
            throw ConfigError(Suggestions.unknown("preset", preset, among: Presets.names))
        }
        guard seeds >= 1 else { throw ConfigError("seeds must be ≥ 1, got \(seeds)") }
        let schedule = Self.defaultSchedule(preset: preset)
        try c.set("epochs", String(epochs ?? schedule.epochs))
        try c.set("subset", String(subset ?? schedule.subset))
        c.evalEvery = 0   // the experiment evaluates once, at the end of each run
        for (key, value) in try parsedAssignments() where TrainingConfig.keyNames.contains(key) {
            try c.set(key, value)
        }
        return c
    }

    /// The configuration of `row`, seed index `k`.
    public func config(for row: ExperimentRow, seed k: Int) throws -> TrainingConfig {
        var c = try baseConfig()
        try c.set("method", row.method)
        c.target = row.target
        c.seed = c.seed &+ UInt64(k)
        for a in row.assignments {
            guard let eq = a.firstIndex(of: "=") else { preconditionFailure("row setting '\(a)' is not key=value") }
            var value = String(a[a.index(after: eq)...])
            if value.hasPrefix("@"), let copied = c.value(of: String(value.dropFirst())) { value = copied }
            try c.set(String(a[..<eq]), value)
        }
        // The user's settings win over the method's preset settings (`Presets.methodSettings`,
        // applied by the `method` key above), so config keys are applied again here.
        for (key, value) in try parsedAssignments() where TrainingConfig.keyNames.contains(key) || c.methodKeys.contains(key) {
            try c.set(key, value)
        }
        return c
    }

    /// Checks that every extra setting is a config key or a hyper-parameter of some row's method.
    public func validate(for experiment: Experiment) throws {
        _ = try baseConfig()
        let methodKeys = Set(try experiment.rows.flatMap { row -> [String] in
            var c = TrainingConfig()
            try c.set("method", row.method)
            return c.methodKeys
        })
        for (key, _) in try parsedAssignments() where !TrainingConfig.keyNames.contains(key) && !methodKeys.contains(key) {
            throw ConfigError(Suggestions.unknown("key", key, among: TrainingConfig.keyNames + methodKeys.sorted()))
        }
    }

    func parsedAssignments() throws -> [(String, String)] {
        try assignments.map { a in
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ConfigError("--set takes key=value, got '\(a)'")
            }
            return (String(a[..<eq]), String(a[a.index(after: eq)...]))
        }
    }
}
