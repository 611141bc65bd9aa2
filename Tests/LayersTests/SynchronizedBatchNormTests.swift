import Foundation
import GradCheck
import Layers
import TensorCore
import Testing

/// An in-process group of `size` threads, one per rank, whose `allReduceSum` adds the ranks'
/// buffers in rank order (a real collective: each call blocks until every rank has arrived).
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Double]]
    private var arrived = 0
    private var generation = 0
    private var result: [Double] = []

    init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    func reduce(rank: Int, _ values: [Double]) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let round = generation
        slots[rank] = values
        arrived += 1
        if arrived == size {
            result = slots.dropFirst().reduce(slots[0]) { acc, v in zip(acc, v).map { $0 + $1 } }
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == round { condition.wait() }
        }
        return result
    }

    /// Runs `body(rank, reducer)` on `size` threads and returns the results in rank order.
    func run<T>(_ body: @escaping (Int, any BatchStatisticsReducer) -> T) -> [T] {
        let done = DispatchGroup()
        let box = ResultBox<T>(count: size)
        let work = Unchecked(value: body)
        for r in 0..<size {
            done.enter()
            let member = Unchecked(value: Member(group: self, rank: r))
            let thread = Thread {
                box.set(r, work.value(r, member.value))
                done.leave()
            }
            thread.start()
        }
        done.wait()
        return box.values()
    }

    final class Member: BatchStatisticsReducer {
        let group: ThreadGroup
        let rank: Int
        init(group: ThreadGroup, rank: Int) {
            self.group = group
            self.rank = rank
        }
        func allReduceSum<S: BLASScalar>(_ values: inout [S]) {
            values = group.reduce(rank: rank, values.map { Double($0) }).map { S($0) }
        }
    }

    /// Hands a value to another thread (each rank's thread uses only its own layers).
    struct Unchecked<T>: @unchecked Sendable { let value: T }

    final class ResultBox<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [T?]
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: T) { lock.lock(); items[i] = v; lock.unlock() }
        func values() -> [T] { lock.lock(); defer { lock.unlock() }; return items.compactMap { $0 } }
    }
}

/// SyncBN: ranks holding shards of a batch must compute exactly what one BN computes on the
/// whole batch (forward, backward, running statistics), and the input gradient must match
/// finite differences of the distributed forward.
@Suite struct SynchronizedBatchNormTests {
    struct RankOutput {
        var y: Tensor<Double>, gx: Tensor<Double>, dGamma: Tensor<Double>, dBeta: Tensor<Double>
        var runningMean: Tensor<Double>, runningVar: Tensor<Double>
    }

    static func shards(_ t: Tensor<Double>, rows: [Int]) -> [Tensor<Double>] {
        var start = 0
        return rows.map { n in defer { start += n }; return t.slicingRows(start..<(start + n)) }
    }

    /// One forward and backward of copies of `bn` on shards of `x` (rows per rank `rows`).
    static func distributed(_ bn: BatchNorm2d<Double>, x: Tensor<Double>, g: Tensor<Double>, rows: [Int]) -> [RankOutput] {
        let xs = shards(x, rows: rows), gs = shards(g, rows: rows)
        let copies = rows.map { _ in bn.copy() }
        return ThreadGroup(size: rows.count).run { r, reducer in
            let layer = copies[r]
            layer.setBatchStatisticsReducer(reducer)
            let y = layer.forward(xs[r])
            let gx = layer.backward(gs[r])
            return RankOutput(y: y, gx: gx, dGamma: layer.weight.grad, dBeta: layer.bias.grad,
                              runningMean: layer.runningMean.value, runningVar: layer.runningVar.value)
        }
    }

    static func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: [[3, 3], [1, 5], [2, 2, 2]])
    func shardedRanksMatchOneProcessOnTheWholeBatch(rows: [Int]) {
        var rng = RandomGenerator(seed: 81)
        let bn = BatchNorm2d<Double>(3)
        BatchNormTests.randomize(bn, using: &rng)
        let x = Tensor<Double>.randomNormal([6, 3, 2, 3], mean: 1, std: 2, using: &rng)
        let g = Tensor<Double>.randomNormal(x.shape, using: &rng)
        let reference = bn.copy()
        let y = reference.forward(x), gx = reference.backward(g)
        let outs = Self.distributed(bn, x: x, g: g, rows: rows)
        #expect(outs.count == rows.count)
        let yAll = Tensor.concatenatingRows(outs.map(\.y)), gxAll = Tensor.concatenatingRows(outs.map(\.gx))
        #expect(Self.maxDifference(yAll, y) < 1e-12)
        #expect(Self.maxDifference(gxAll, gx) < 1e-12)
        // γ, β gradients are local sums: the trainer's all-reduce adds them.
        let dGamma = outs.dropFirst().reduce(outs[0].dGamma) { $0 + $1.dGamma }
        let dBeta = outs.dropFirst().reduce(outs[0].dBeta) { $0 + $1.dBeta }
        #expect(Self.maxDifference(dGamma, reference.weight.grad) < 1e-12)
        #expect(Self.maxDifference(dBeta, reference.bias.grad) < 1e-12)
        for o in outs {
            #expect(Self.maxDifference(o.runningMean, reference.runningMean.value) < 1e-13)
            #expect(Self.maxDifference(o.runningVar, reference.runningVar.value) < 1e-13)
            // Identical on every rank, bit for bit.
            #expect(o.runningMean == outs[0].runningMean && o.runningVar == outs[0].runningVar)
        }
        // Per-process statistics would differ: the test is not vacuous.
        let local = bn.copy()
        let yLocal = local.forward(x.slicingRows(0..<rows[0]))
        #expect(Self.maxDifference(yLocal, y.slicingRows(0..<rows[0])) > 1e-3)
    }

    @Test func synchronizedInputGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 82)
        let bn = BatchNorm2d<Double>(2)
        BatchNormTests.randomize(bn, using: &rng)
        let x = Tensor<Double>.randomNormal([4, 2, 2, 2], mean: -0.5, std: 1.5, using: &rng)
        let g = Tensor<Double>.randomNormal(x.shape, using: &rng)
        let rows = [2, 2]
        let analytic = Tensor.concatenatingRows(Self.distributed(bn, x: x, g: g, rows: rows).map(\.gx))
        let report = FiniteDifferences.checkVectorFunction(
            vectorJacobianProduct: analytic, upstream: g,
            of: { Tensor.concatenatingRows(Self.distributed(bn, x: $0, g: g, rows: rows).map(\.y)) }, at: x)
        #expect(report.passes(1e-6), "\(report)")
    }

    @Test func withoutAReducerNothingIsInstalled() {
        var rng = RandomGenerator(seed: 83)
        let model = Sequential<Double>.tinyConvNet(inputChannels: 1, using: &rng)
        #expect(!model.batchStatisticsReducers.isEmpty)
        #expect(model.batchStatisticsReducers.allSatisfy { $0 == nil })
        let group = ThreadGroup(size: 1)
        model.setBatchStatisticsReducer(ThreadGroup.Member(group: group, rank: 0))
        #expect(model.batchStatisticsReducers.allSatisfy { $0 != nil })
        model.setBatchStatisticsReducer(nil)
        #expect(model.batchStatisticsReducers.allSatisfy { $0 == nil })
    }
}
