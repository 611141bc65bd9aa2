import SSL

/// One row of an experiment: a method under a target branch, with any settings that row needs
/// beyond the shared ones (e.g. BYOL's MLP predictor), and what changed from the previous row.
public struct ExperimentRow: Equatable, Sendable {
    /// The row's identifier: its letter in the paper's table and the method (`a-moco`), or
    /// `method-target` in Table 2. Names the run directories `OUT/runs/<id>-seed<k>/`.
    public var id: String
    /// The method's catalogue name (`moco`, `byol-grad`, …).
    public var method: String
    /// The target branch.
    public var target: TargetBranch
    /// What changed from the previous row (Table 1's "changes" column).
    public var change: String
    /// Extra `key=value` settings for this row only; a value `@projector_hidden` copies that key.
    public var assignments: [String]

    public init(id: String, method: String, target: TargetBranch = .momentum, change: String = "", assignments: [String] = []) {
        self.id = id
        self.method = method
        self.target = target
        self.change = change
        self.assignments = assignments
    }
}
