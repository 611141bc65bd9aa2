import Foundation
import Testing
import TensorCore
@testable import Data

@Suite struct PipelineAndLoaderTests {
    let dataset = SyntheticShapes().dataset(count: 50, seed: 21)

    @Test func normalisationAndIdentityPipeline() {
        let norm = dataset.channelStatistics()
        let plain = TwoViewPipeline(both: [], normalization: norm)
        let batch = plain.makeBatch(from: dataset, indices: [3, 1, 4], seed: 0, epoch: 0)
        #expect(batch.view1.shape == [3, 1, 28, 28])
        #expect(batch.view1 == dataset.tensor(indices: [3, 1, 4], normalization: norm))
        #expect(batch.view1 == batch.view2)
        #expect(batch.labels == [3, 1, 4].map { dataset.labels[$0] })
        // Over the whole set, normalised pixels have mean 0 and std 1.
        let all = dataset.tensor(indices: Array(0..<dataset.count), normalization: norm).scalars
        let mean = all.map(Double.init).reduce(0, +) / Double(all.count)
        let variance = all.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(all.count)
        #expect(abs(mean) < 1e-4 && abs(variance - 1) < 1e-3)
    }

    @Test func viewsDependOnlyOnSeedEpochAndIndex() {
        let pipeline = TwoViewPipeline.small(normalization: dataset.channelStatistics())
        let pair = pipeline.makeBatch(from: dataset, indices: [7, 9], seed: 5, epoch: 2)
        let single = pipeline.makeBatch(from: dataset, indices: [9], seed: 5, epoch: 2)
        #expect(pair.view1.slicingRows(1..<2) == single.view1 && pair.view2.slicingRows(1..<2) == single.view2)
        #expect(pair.view1 != pair.view2)
        let otherEpoch = pipeline.makeBatch(from: dataset, indices: [9], seed: 5, epoch: 3)
        #expect(otherEpoch.view1 != single.view1)
        #expect(single.view1.shape == [1, 1, 28, 28] && single.view1.isFinite)
    }

    @Test func loaderIsDeterministicWithAndWithoutPrefetch() {
        let pipeline = TwoViewPipeline.small(normalization: dataset.channelStatistics())
        let a = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 42)
        let b = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 42)
        #expect(a.batchesPerEpoch == 6)
        for epoch in 0..<2 {
            let direct = Array(a.epoch(epoch, prefetch: 0))
            let prefetched = Array(b.epoch(epoch, prefetch: 3))
            let deep = Array(b.epoch(epoch, prefetch: 1))
            #expect(direct.count == 6 && prefetched == direct && deep == direct)
            #expect(direct[2] == a.batch(epoch: epoch, index: 2))
            // Each epoch visits distinct samples.
            let seen = direct.flatMap(\.indices)
            #expect(Set(seen).count == 48)
        }
        #expect(a.order(epoch: 0) != a.order(epoch: 1))
        let c = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 43)
        #expect(c.batch(epoch: 0, index: 0) != a.batch(epoch: 0, index: 0))
        // Resuming at batch 4 yields batches 4 and 5 of the same epoch.
        let resumed = Array(b.epoch(1, startingAt: 4, prefetch: 2))
        #expect(resumed == [a.batch(epoch: 1, index: 4), a.batch(epoch: 1, index: 5)])
        #expect(Array(b.epoch(1, startingAt: 6, prefetch: 2)).isEmpty)
        let tail = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 8, seed: 42, shuffle: false, dropLast: false)
        #expect(tail.batchesPerEpoch == 7 && tail.batch(epoch: 0, index: 6).indices == [48, 49])
    }

    @Test func stoppingEarlyReleasesTheProducer() {
        let pipeline = TwoViewPipeline.small(normalization: dataset.channelStatistics())
        let loader = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 5, seed: 1)
        for _ in 0..<5 {
            let it = loader.epoch(0, prefetch: 2)
            #expect(it.next() == loader.batch(epoch: 0, index: 0))
        }
    }

    /// Throughput of the `small` two-view pipeline; run with `UNIGRAD_DATA_BENCH=1` in release.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_DATA_BENCH"] != nil))
    func smallPipelineThroughput() {
        let ds = SyntheticShapes().dataset(count: 2048, seed: 1)
        let loader = BatchLoader(dataset: ds, pipeline: .small(normalization: ds.channelStatistics()),
                                 batchSize: 256, seed: 1)
        func cpuSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let start = Date(), cpu0 = cpuSeconds()
        var images = 0
        for epoch in 0..<3 { for batch in loader.epoch(epoch, prefetch: 0) { images += batch.count } }
        let direct = Double(images) / Date().timeIntervalSince(start)
        let perCPU = Double(images) / (cpuSeconds() - cpu0)
        print("small two-view pipeline, 28×28: \(Int(direct)) images/s wall, \(Int(perCPU)) images per CPU-second (two views each, one thread)")
        let t0 = Date()
        var n = 0
        for batch in loader.epoch(5, prefetch: 2) { n += batch.count; _ = batch.view1.scalars.count }
        print("through the prefetching iterator: \(Int(Double(n) / Date().timeIntervalSince(t0))) images/s")
    }
}
