import SSL

/// The paper's comparisons at small scale (Tao et al., CVPR 2022, Tables 1–2 and Figure 2;
/// `reference/paper.md` §5 and §8): which rows are trained, and what is reported.
public struct Experiment: Equatable, Sendable {
    /// `table1`, `table2` or `figure2`.
    public var name: String
    /// A one-line title for the output.
    public var title: String
    /// The rows, in order.
    public var rows: [ExperimentRow]
    /// Whether the output is the runs' training curves (loss, positive similarity, kNN on a
    /// reduced bank, effective rank) as figures — `figure2`. Every run records its curves.
    public var recordsCurves: Bool

    public init(name: String, title: String, rows: [ExperimentRow], recordsCurves: Bool = false) {
        self.name = name
        self.title = title
        self.rows = rows
        self.recordsCurves = recordsCurves
    }

    /// The experiment names users type.
    public static let names = ["table1", "table2", "figure2"]

    /// The experiment called `name`, or nil.
    public static func named(_ name: String) -> Experiment? {
        switch name {
        case "table1": return table1
        case "table2": return table2
        case "figure2": return figure2
        default: return nil
        }
    }

    /// Table 1: every gradient form of the three families, all with a momentum target and
    /// otherwise identical settings (paper §8), plus UniGrad. Row (c), the original BYOL, trains an
    /// MLP predictor (`predictor_hidden` from the preset's settings for `byol`,
    /// `Presets.methodSettings`); no other row has a predictor.
    public static let table1 = Experiment(name: "table1", title: "Table 1 — gradient forms, every method with a momentum encoder", rows: [
        ExperimentRow(id: "a-moco", method: "moco", change: "MoCo: InfoNCE, negatives from a memory bank (queue)"),
        ExperimentRow(id: "b-simclr", method: "simclr", change: "negatives from the current batch instead of a memory bank"),
        ExperimentRow(id: "c-byol", method: "byol", change: "asymmetric: MLP predictor, cosine to the target, no explicit negatives"),
        ExperimentRow(id: "d-byol-directpred", method: "byol-directpred", change: "predictor replaced by DirectPred's analytic W_p from F"),
        ExperimentRow(id: "e-byol-grad", method: "byol-grad", change: "W_p replaced by I in the positive gradient"),
        ExperimentRow(id: "f-barlow", method: "barlow", change: "Barlow Twins: cross-correlation of batch-standardised features"),
        ExperimentRow(id: "g-barlow-grad", method: "barlow-grad", change: "matrix A replaced by I in the positive gradient"),
        ExperimentRow(id: "h-barlow-l2", method: "barlow-l2", change: "batch standardisation replaced by ℓ2 normalisation"),
        ExperimentRow(id: "i-vicreg", method: "vicreg", change: "VICReg: invariance + variance + covariance terms"),
        ExperimentRow(id: "j-vicreg-grad", method: "vicreg-grad", change: "variance term dropped, ℓ2-normalised features"),
        ExperimentRow(id: "unigrad", method: "unigrad", change: "UniGrad: −t⁺ + λ F u, F a moving average of the correlation"),
    ])

    /// The target branches of Table 2, in column order.
    public static let table2Targets: [TargetBranch] = [.stopgrad, .momentum, .momentumPositive]
    /// The methods of Table 2: each family's representative gradient form, and UniGrad.
    public static let table2Methods = ["simclr", "byol-grad", "vicreg-grad", "unigrad"]

    /// Table 2: the representative gradient forms (`simclr`, `byol-grad`, `vicreg-grad`) and
    /// UniGrad under each target branch: stop-gradient, momentum encoder, and momentum features
    /// only in the positive gradient (paper §8).
    public static let table2 = Experiment(name: "table2", title: "Table 2 — target branch type per family", rows:
        table2Methods.flatMap { method in
            table2Targets.map { target in
                ExperimentRow(id: "\(method)-\(target.rawValue)", method: method, target: target,
                              change: target == .stopgrad ? "stop-gradient target (no momentum encoder)"
                                  : target == .momentum ? "momentum-encoder target everywhere"
                                  : "momentum features only in the positive gradient")
            }
        })

    /// Figure 2: training curves of the methods (one curve per method, one figure per metric).
    /// The methods are the gradient forms the paper compares across families (b, e, h, j) with
    /// MoCo and UniGrad, all with a momentum target.
    public static let figure2 = Experiment(name: "figure2", title: "Figure 2 — training curves of the methods", rows: [
        ExperimentRow(id: "moco", method: "moco", change: "contrastive, memory bank"),
        ExperimentRow(id: "simclr", method: "simclr", change: "contrastive, batch negatives"),
        ExperimentRow(id: "byol-grad", method: "byol-grad", change: "asymmetric, gradient form"),
        ExperimentRow(id: "barlow-l2", method: "barlow-l2", change: "decorrelation, ℓ2 form"),
        ExperimentRow(id: "vicreg-grad", method: "vicreg-grad", change: "decorrelation, gradient form"),
        ExperimentRow(id: "unigrad", method: "unigrad", change: "UniGrad"),
    ], recordsCurves: true)
}
