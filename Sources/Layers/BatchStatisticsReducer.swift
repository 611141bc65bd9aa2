import TensorCore

/// Sums per-channel batch-norm statistics over every process of a data-parallel group: the one
/// collective that synchronised batch norm (SyncBN) needs.
///
/// With a reducer installed (``Layer/setBatchStatisticsReducer(_:)``), a `BatchNorm1d`/`2d` in
/// training mode normalises with the mean and biased variance of the *global* batch (all ranks'
/// rows), updates identical running statistics on every rank, and in backward uses the global
/// `Σ g` and `Σ g x̂` (see `BatchNormKernel`). Without one (the default)
/// nothing changes.
///
/// Reference: Peng et al., "MegDet: A Large Mini-Batch Object Detector" (CVPR 2018), cross-GPU
/// batch normalisation; PyTorch `nn.SyncBatchNorm`.
public protocol BatchStatisticsReducer: AnyObject {
    /// `values ← Σ_ranks values`, element-wise and identical on every rank (a collective call).
    func allReduceSum<S: BLASScalar>(_ values: inout [S])
}

extension Layer {
    /// Installs `reducer` in every batch-norm layer of this layer (depth first through
    /// containers); `nil` restores per-process statistics.
    public func setBatchStatisticsReducer(_ reducer: (any BatchStatisticsReducer)?) {
        if let bn = self as? BatchNorm1d<Scalar> { bn.kernel.reducer = reducer }
        if let bn = self as? BatchNorm2d<Scalar> { bn.kernel.reducer = reducer }
        if let container = self as? any LayerContainer<Scalar> {
            for child in container.children { child.layer.setBatchStatisticsReducer(reducer) }
        }
    }

    /// The batch-norm layers' reducers in forward order (`nil` where none is installed).
    public var batchStatisticsReducers: [(any BatchStatisticsReducer)?] {
        if let bn = self as? BatchNorm1d<Scalar> { return [bn.kernel.reducer] }
        if let bn = self as? BatchNorm2d<Scalar> { return [bn.kernel.reducer] }
        if let container = self as? any LayerContainer<Scalar> {
            return container.children.flatMap { $0.layer.batchStatisticsReducers }
        }
        return []
    }
}
