import Foundation
import TensorCore

/// Cuts a dataset into shuffled batches of two augmented views, deterministically.
///
/// Epoch `e`'s order is the permutation drawn from `RandomGenerator(seed: mix(seed, e, 0x5348))`
/// and each sample's views depend only on `(seed, e, index)` (see ``TwoViewPipeline``), so
/// ``batch(epoch:index:)`` is a pure function: a prefetching iterator returns exactly the same
/// batches as a plain loop, whatever the thread timing.
public struct BatchLoader: Sendable {
    /// The images.
    public let dataset: ImageDataset
    /// The two-view augmentation.
    public let pipeline: TwoViewPipeline
    /// Samples per batch.
    public let batchSize: Int
    /// The run's seed.
    public let seed: UInt64
    /// Shuffle each epoch (otherwise dataset order).
    public let shuffle: Bool
    /// Drop the last incomplete batch (so every batch has `batchSize` samples).
    public let dropLast: Bool
    /// Data parallelism: this process takes part `shard` of `shardCount` equal, contiguous parts
    /// of every (global) batch; `(0, 1)` is the whole batch. The epoch order and every image's views
    /// depend only on the shared seed, so the ranks' parts are disjoint and together are exactly
    /// the one-process batch.
    public let shard: Int
    public let shardCount: Int

    /// A loader over `dataset`.
    public init(dataset: ImageDataset, pipeline: TwoViewPipeline, batchSize: Int, seed: UInt64,
                shuffle: Bool = true, dropLast: Bool = true, shard: Int = 0, shardCount: Int = 1) {
        precondition(shardCount >= 1 && shard >= 0 && shard < shardCount, "shard \(shard) of \(shardCount) is out of range")
        precondition(batchSize % shardCount == 0, "batch size \(batchSize) does not split into \(shardCount) equal shards")
        self.shard = shard
        self.shardCount = shardCount
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        precondition(dataset.count >= (dropLast ? batchSize : 1),
                     "dataset of \(dataset.count) images cannot fill a batch of \(batchSize)")
        self.dataset = dataset
        self.pipeline = pipeline
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
    }

    /// Batches in one epoch.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The sample order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var rng = RandomGenerator(seed: SeedMixer.mix(seed, UInt64(truncatingIfNeeded: epoch), 0x5348_5546))
        return rng.permutation(dataset.count)
    }

    /// The dataset indices of batch `index` of an epoch with sample order `order` (this shard's part).
    public func indices(batch index: Int, order: [Int]) -> [Int] {
        precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) out of range 0..<\(batchesPerEpoch)")
        let all = order[(index * batchSize)..<min((index + 1) * batchSize, order.count)]
        guard shardCount > 1 else { return Array(all) }
        let part = all.count / shardCount, start = all.startIndex + shard * part
        return Array(all[start..<(start + part)])
    }

    /// Batch `index` of `epoch` (computed on the calling thread).
    public func batch(epoch: Int, index: Int) -> TwoViewBatch {
        pipeline.makeBatch(from: dataset, indices: indices(batch: index, order: order(epoch: epoch)),
                           seed: seed, epoch: epoch)
    }

    /// The batches of `epoch` from batch `start` on (a resumed run passes the next batch index),
    /// prepared by `workers` background threads (0: all cores) that keep up to
    /// `max(prefetch, workers)` batches ready while the caller trains. `prefetch == 0` prepares
    /// each batch on demand, on the calling thread. Whatever the threads, batch `b` is
    /// ``batch(epoch:index:)``: its content depends only on `(seed, epoch, b)`.
    public func epoch(_ epoch: Int, startingAt start: Int = 0, prefetch: Int = 2, workers: Int = 1) -> PrefetchingBatchIterator {
        PrefetchingBatchIterator(loader: self, epoch: epoch, start: start, prefetch: prefetch,
                                 workers: prefetch == 0 ? 0 : ParallelRows.resolvedWorkers(workers))
    }
}

/// The batches of one epoch; `workers` background threads each build whole batches, claiming
/// batch indices in order, and keep up to `max(prefetch, workers)` batches ahead of the consumer.
///
/// Stopping early is fine: the producer threads end when the iterator is released.
public final class PrefetchingBatchIterator: IteratorProtocol, Sequence {
    /// Shared between the consumer and the producer threads; guarded by `condition`.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var ready: [Int: TwoViewBatch] = [:]
        var consumed = 0
        var claimed = 0
        var cancelled = false
    }

    private let loader: BatchLoader
    private let order: [Int]
    private let epoch: Int
    private let depth: Int
    private let queue = Queue()
    private var nextIndex: Int
    /// Seconds the consumer spent blocked in ``next()`` waiting for a batch, so far.
    public private(set) var waitSeconds: Double = 0

    init(loader: BatchLoader, epoch: Int, start: Int, prefetch: Int, workers: Int) {
        precondition(prefetch >= 0, "prefetch must be non-negative, got \(prefetch)")
        precondition(workers >= 0, "workers must be non-negative, got \(workers)")
        precondition(start >= 0 && start <= loader.batchesPerEpoch,
                     "start batch \(start) out of range 0...\(loader.batchesPerEpoch)")
        self.nextIndex = start
        self.loader = loader
        self.epoch = epoch
        self.depth = prefetch == 0 ? 0 : Swift.max(prefetch, workers)
        self.order = loader.order(epoch: epoch)
        queue.consumed = start
        queue.claimed = start
        if depth > 0 {
            for w in 0..<Swift.max(workers, 1) { startProducer(number: w) }
        }
    }

    deinit {
        queue.condition.lock()
        queue.cancelled = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    /// Number of batches in the epoch.
    public var count: Int { loader.batchesPerEpoch }

    private func startProducer(number: Int) {
        let queue = self.queue, loader = self.loader, order = self.order, epoch = self.epoch
        let depth = self.depth, total = loader.batchesPerEpoch
        let thread = Thread {
            while true {
                queue.condition.lock()
                while !queue.cancelled && queue.claimed < total && queue.claimed - queue.consumed >= depth {
                    queue.condition.wait()
                }
                if queue.cancelled || queue.claimed >= total {
                    queue.condition.unlock()
                    return
                }
                let b = queue.claimed
                queue.claimed += 1
                queue.condition.unlock()
                let batch = loader.pipeline.makeBatch(from: loader.dataset, indices: loader.indices(batch: b, order: order),
                                                      seed: loader.seed, epoch: epoch)
                queue.condition.lock()
                queue.ready[b] = batch
                queue.condition.broadcast()
                queue.condition.unlock()
            }
        }
        thread.name = "unigrad.data.worker\(number)"
        thread.start()
    }

    /// The next batch, or `nil` at the end of the epoch.
    public func next() -> TwoViewBatch? {
        guard nextIndex < loader.batchesPerEpoch else { return nil }
        let b = nextIndex
        nextIndex += 1
        if depth == 0 {
            return loader.pipeline.makeBatch(from: loader.dataset, indices: loader.indices(batch: b, order: order),
                                             seed: loader.seed, epoch: epoch)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        queue.condition.lock()
        defer { queue.condition.unlock() }
        while queue.ready[b] == nil { queue.condition.wait() }
        let batch = queue.ready.removeValue(forKey: b)
        queue.consumed = b + 1
        queue.condition.broadcast()
        waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return batch
    }
}
