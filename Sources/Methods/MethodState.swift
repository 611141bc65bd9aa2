import TensorCore

/// The state a method carries between batches: MoCo's queue, the moving-average correlation
/// matrix `F` of UniGrad / DirectPred, and BYOL's linear predictor `W`.
///
/// Order of operations for `F` (official code, paper.md §4 `loss_unigrad`): the `F` stored here
/// is the matrix *before* this batch (DESIGN.md `unigrad grad` input `F`); a method first updates
/// it with this batch's targets, `F ← ρF + (1−ρ)F̂` (or `F = F̂` when there is none yet), then uses
/// the updated `F` in the gradient, and returns it as `nextState.correlation`.
public struct MethodState<Scalar: BLASScalar>: Sendable, Equatable {
    /// MoCo's memory bank `Q`, `(K, D)` unit rows, oldest first. `nil`: no queue yet.
    public var queue: Tensor<Scalar>?
    /// The queue's capacity `K` (rows kept after enqueuing).
    public var queueCapacity: Int
    /// `F`, `(D, D)`, before this batch's update. `nil`: first step (`F = F̂`).
    public var correlation: Tensor<Scalar>?
    /// BYOL's linear predictor `W`, `(D, D)`; `nil` means the identity.
    public var predictor: Tensor<Scalar>?
    /// Batches seen so far.
    public var step: Int

    public init(queue: Tensor<Scalar>? = nil, queueCapacity: Int = 4096, correlation: Tensor<Scalar>? = nil,
                predictor: Tensor<Scalar>? = nil, step: Int = 0) {
        precondition(queueCapacity >= 1, "queueCapacity must be ≥ 1, got \(queueCapacity)")
        self.queue = queue
        self.queueCapacity = queueCapacity
        self.correlation = correlation
        self.predictor = predictor
        self.step = step
    }

    /// `F̂ = (t1ᵀt1 + t2ᵀt2)/(2N)`, the batch correlation of the (unit) targets; `tr F̂ = 1`.
    ///
    /// Reference: paper.md §3 (official `loss_unigrad`).
    public static func batchCorrelation(t1: Tensor<Scalar>, t2: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(t1.shape == t2.shape, "batchCorrelation: t1 \(t1.shape) vs t2 \(t2.shape)")
        let n = Scalar(2 * t1.rows)
        return (t1.matmul(t1, transposeSelf: true) + t2.matmul(t2, transposeSelf: true)) / n
    }

    /// `F ← ρF + (1−ρ)F̂`; `F̂` itself when `previous` is `nil` (first step).
    public static func updatedCorrelation(previous: Tensor<Scalar>?, batch: Tensor<Scalar>, rho: Scalar) -> Tensor<Scalar> {
        guard let previous else { return batch }
        precondition(previous.shape == batch.shape, "F \(previous.shape) vs F̂ \(batch.shape)")
        return previous * rho + batch * (1 - rho)
    }

    /// The state after updating `F` with this batch's targets (returns the new state and the
    /// updated `F`, which is the one the gradient uses).
    public func updatingCorrelation(t1: Tensor<Scalar>, t2: Tensor<Scalar>, rho: Scalar) -> (state: MethodState, F: Tensor<Scalar>) {
        var next = self
        let F = Self.updatedCorrelation(previous: correlation, batch: Self.batchCorrelation(t1: t1, t2: t2), rho: rho)
        next.correlation = F
        return (next, F)
    }

    /// FIFO: appends `keys` (newest last) and drops the oldest rows beyond `queueCapacity`.
    public func enqueuing(_ keys: Tensor<Scalar>) -> MethodState {
        var next = self
        let all = queue.map { Tensor.concatenatingRows([$0, keys]) } ?? keys
        next.queue = all.rows > queueCapacity ? all.slicingRows((all.rows - queueCapacity)..<all.rows) : all
        return next
    }
}
