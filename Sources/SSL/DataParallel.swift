import TensorCore
import Layers
import Distributed

/// The pieces of data-parallel training that tie the trainer to a ``Communicator``
/// (the analogue of PyTorch's `DistributedDataParallel` + `SyncBatchNorm` + `concat_all_gather`
/// in the official UniGrad code).
///
/// One step on `P` ranks, each with a disjoint shard of `n = B/P` images of the global batch:
/// 1. forward the local shard (batch norm: global statistics, via ``CommunicatorBatchStatistics``);
/// 2. all-gather the features `z1, z2` (and targets) to the global `(B, D)` batch, evaluate the
///    method on it — identical on every rank, so the correlation matrix `F`
///    (`F̂ = Σ_ranks (t1ᵀt1 + t2ᵀt2) / 2B`, the all-reduced, averaged batch correlation), the
///    contrastive negatives and Barlow's cross-correlation are those of the global batch;
/// 3. backward this rank's rows of `∂L/∂z` (its slice of the global gradient);
/// 4. `∂L/∂θ = Σ_ranks ∂L/∂θ|_rank` (all-reduce *sum*: the loss is already the global batch mean,
///    so the sum equals one process's gradient on the whole batch).
public enum DataParallel {
    /// The global outputs: every rank's rows of each output, in rank order.
    public static func gathered<S: BLASScalar>(_ out: SiameseOutputs<S>, _ c: any Communicator) -> SiameseOutputs<S> {
        guard c.isDistributed else { return out }
        return SiameseOutputs(z1: c.allGatherRows(out.z1), z2: c.allGatherRows(out.z2),
                              z1m: out.z1m.map { c.allGatherRows($0) }, z2m: out.z2m.map { c.allGatherRows($0) },
                              p1: c.allGatherRows(out.p1), p2: c.allGatherRows(out.p2))
    }

    /// `grad ← Σ_ranks grad` for every parameter, in one flat reduction.
    public static func allReduceGradients<S: BLASScalar>(_ parameters: [Parameter<S>], _ c: any Communicator) {
        guard c.isDistributed else { return }
        var flat: [S] = []
        flat.reserveCapacity(parameters.reduce(0) { $0 + $1.grad.count })
        for p in parameters { flat.append(contentsOf: p.grad.scalars) }
        c.allReduceSum(&flat)
        var offset = 0
        for p in parameters {
            let n = p.grad.count
            p.grad = Tensor(shape: p.grad.shape, scalars: Array(flat[offset..<(offset + n)]))
            offset += n
        }
    }

    /// Copies rank 0's values of `tensors` to every rank (the start of a run, as DDP does).
    public static func broadcastFromRoot<S: BLASScalar>(_ tensors: [Parameter<S>], _ c: any Communicator) {
        guard c.isDistributed else { return }
        var flat: [S] = []
        for p in tensors { flat.append(contentsOf: p.value.scalars) }
        c.broadcast(&flat, root: 0)
        var offset = 0
        for p in tensors {
            let n = p.value.count
            p.value = Tensor(shape: p.value.shape, scalars: Array(flat[offset..<(offset + n)]))
            offset += n
        }
    }

    /// Installs SyncBN in every branch of `model` (online, predictor and momentum branches).
    public static func synchronizeBatchNorm<S: BLASScalar>(_ model: SiameseModel<S>, _ c: any Communicator) {
        guard c.isDistributed else { return }
        let reducer = CommunicatorBatchStatistics(c)
        model.encoder.setBatchStatisticsReducer(reducer)
        model.projector.setBatchStatisticsReducer(reducer)
        model.predictor?.setBatchStatisticsReducer(reducer)
        model.momentumEncoder?.setBatchStatisticsReducer(reducer)
        model.momentumProjector?.setBatchStatisticsReducer(reducer)
    }

    /// Every parameter and buffer of every branch (what must be identical on all ranks).
    public static func state<S: BLASScalar>(_ model: SiameseModel<S>) -> [Parameter<S>] {
        var all: [Parameter<S>] = []
        let layers: [(any Layer<S>)?] = [model.encoder, model.projector, model.predictor, model.momentumEncoder, model.momentumProjector]
        for case let l? in layers { all += l.parameters + l.buffers }
        return all
    }
}

/// SyncBN's reduction through a communicator.
public final class CommunicatorBatchStatistics: BatchStatisticsReducer {
    public let communicator: any Communicator
    public init(_ communicator: any Communicator) { self.communicator = communicator }
    public func allReduceSum<S: BLASScalar>(_ values: inout [S]) { communicator.allReduceSum(&values) }
}
