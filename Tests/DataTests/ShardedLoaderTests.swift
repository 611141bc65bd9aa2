import Testing
import TensorCore
import Data

/// Data parallelism: the ranks' shards of every batch are disjoint, equal, and together (in rank
/// order) exactly the one-process batch, views included.
@Suite struct ShardedLoaderTests {
    let dataset = SyntheticShapes().dataset(count: 40, seed: 31)

    @Test(arguments: [2, 4])
    func shardsConcatenateToTheWholeBatch(ranks: Int) {
        let pipeline = TwoViewPipeline.small(normalization: dataset.channelStatistics())
        let whole = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 7)
        let shards = (0..<ranks).map { BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 7, shard: $0, shardCount: ranks) }
        #expect(shards.allSatisfy { $0.batchesPerEpoch == whole.batchesPerEpoch })
        for epoch in 0..<2 {
            for index in [0, 3] {
                let reference = whole.batch(epoch: epoch, index: index)
                let parts = shards.map { $0.batch(epoch: epoch, index: index) }
                #expect(parts.allSatisfy { $0.indices.count == 8 / ranks })
                #expect(parts.flatMap(\.indices) == reference.indices)
                #expect(Set(parts.flatMap(\.indices)).count == 8)
                #expect(Tensor.concatenatingRows(parts.map(\.view1)) == reference.view1)
                #expect(Tensor.concatenatingRows(parts.map(\.view2)) == reference.view2)
            }
        }
        // The prefetching iterator hands out the same shard.
        #expect(Array(shards[1].epoch(1, prefetch: 2))[3] == shards[1].batch(epoch: 1, index: 3))
    }
}
