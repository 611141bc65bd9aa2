/// Where the targets `t1`, `t2` of a Siamese method come from (paper Table 2).
///
/// - `stopgrad`: the online network itself, with a stop-gradient (SimSiam, SimCLR).
/// - `momentum`: an exponential moving average of the online encoder and projector (MoCo, BYOL),
///   used for the positive *and* the negative terms.
/// - `momentumPositive`: momentum features only in the positive term; the negatives (and `F`, the
///   queue, the cross-correlation) come from the detached online branch.
///
/// Reference: Tao et al., CVPR 2022, §5 and Table 2.
public enum TargetBranch: String, CaseIterable, Sendable, Codable {
    case stopgrad
    case momentum
    case momentumPositive = "momentum-positive"

    /// Whether this branch keeps a momentum copy of the encoder and projector.
    public var usesMomentumEncoder: Bool { self != .stopgrad }
}
