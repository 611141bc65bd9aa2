import TensorCore

/// The collective operations of data-parallel training over a fixed group of `size` processes
/// (ranks `0..<size`), in the spirit of `torch.distributed` / MPI's `MPI_COMM_WORLD`.
///
/// Every operation is *collective*: all ranks call it in the same order with the same counts,
/// otherwise the program deadlocks (a programmer error). Results are bit-identical on every rank
/// (``MPICommunicator`` reduces on rank 0 and broadcasts, rather than trusting each rank's own
/// reduction order), so that replicated parameters never drift apart.
///
/// ```swift
/// let world = Communicators.world()          // MPI under mpirun, otherwise one process
/// var grads: [Float] = …
/// world.allReduceSum(&grads)                 // Σ over ranks, on every rank
/// let all = world.allGather(localFeatures)   // rank 0's values, then rank 1's, …
/// ```
///
/// Reference: MPI Forum, "MPI: A Message-Passing Interface Standard" 4.0, §6 (collectives).
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// `values ← Σ_ranks values`, element-wise, the same on every rank.
    func allReduceSum<S: BLASScalar>(_ values: inout [S])
    /// The concatenation of every rank's `values` in rank order (each rank passes the same count).
    func allGather<S: BLASScalar>(_ values: [S]) -> [S]
    /// `values ← root's values` on every rank (each rank passes the same count).
    func broadcast<S: BLASScalar>(_ values: inout [S], root: Int)
    /// Returns once every rank has called it.
    func barrier()
    /// Ends every rank of the job at once with exit code `code` (a rank that fails must not leave
    /// the others waiting in a collective).
    func abort(code: Int32) -> Never
}

extension Communicator {
    /// Whether this is rank 0, the one that writes logs, results and checkpoints.
    public var isRoot: Bool { rank == 0 }
    /// Whether there is more than one rank.
    public var isDistributed: Bool { size > 1 }

    /// `Σ_ranks x` of one value.
    public func allReduceSum<S: BLASScalar>(_ x: S) -> S {
        var v = [x]
        allReduceSum(&v)
        return v[0]
    }

    /// A tensor's rows gathered from every rank in rank order: `(size·N, …)` from `(N, …)`.
    public func allGatherRows<S: BLASScalar>(_ t: Tensor<S>) -> Tensor<S> {
        guard isDistributed else { return t }
        var shape = t.shape
        precondition(!shape.isEmpty, "allGatherRows needs a tensor of rank ≥ 1, got a scalar")
        shape[0] *= size
        return Tensor(shape: shape, scalars: allGather(t.scalars))
    }

    /// `∂L/∂x` rows of this rank out of a gathered `(size·N, …)` tensor: rows `rank·N ..< (rank+1)·N`.
    public func localRows<S: BLASScalar>(_ t: Tensor<S>) -> Tensor<S> {
        guard isDistributed else { return t }
        precondition(t.shape[0] % size == 0, "localRows: \(t.shape[0]) rows do not split over \(size) ranks")
        let n = t.shape[0] / size
        return t.slicingRows((rank * n)..<((rank + 1) * n))
    }
}
