import SSL

/// One row of an experiment: a method under a target branch, with any settings that row needs
/// beyond the shared ones (e.g. BYOL's MLP predictor), and what changed from the previous row.
public struct ExperimentRow: Equatable, Sendable {
    /// The row's identifier: its letter in the paper's table and the method (`a-moco`), or
    /// `method-target` in Table 2.
    public var id: String
    /// The method's catalogue name (`moco`, `byol-grad`, …).
    public var method: String
    /// The target branch.
    public var target: TargetBranch
    /// What changed from the previous row (Table 1's "changes" column).
    public var change: String
    /// Extra `key=value` settings for this row only; a value `@projector_hidden` copies that key.
    public var assignments: [String]

    /// The run this row trains, named by what is trained rather than by the row:
    /// `method-target`, then the row's own settings (`byol-momentum-predictor_hidden_512`). Rows
    /// of different experiments with the same name share one run (`OUT/runs/<name>-seed<k>/`), so
    /// Table 2's momentum column and Figure 2 reuse Table 1's runs.
    public var runName: String {
        let extra = assignments.map { a in
            String(a.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." ? $0 : "_" })
        }
        return ([method, target.rawValue] + extra).joined(separator: "-")
    }

    public init(id: String, method: String, target: TargetBranch = .momentum, change: String = "", assignments: [String] = []) {
        self.id = id
        self.method = method
        self.target = target
        self.change = change
        self.assignments = assignments
    }
}
