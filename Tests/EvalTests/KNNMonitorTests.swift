import Foundation
import Testing
import TensorCore
@testable import Eval

/// The textbook weighted kNN: full sort of every similarity (ties: lower bank index), votes
/// `exp((s − s_max)/t)`, classes ranked by score (ties: lower class).
private func naiveRanks<T: BLASScalar>(queries: Tensor<T>, bank: Tensor<T>, labels: [Int], classes: Int,
                                       k: Int, t: Double, ranked: Int) -> [[Int]] {
    let q = queries.converted(to: Double.self).l2NormalizedRows()
    let b = bank.converted(to: Double.self).l2NormalizedRows()
    return (0..<q.rows).map { i in
        let sims = (0..<b.rows).map { j in zip(q.row(i), b.row(j)).reduce(0.0) { $0 + $1.0 * $1.1 } }
        let order = sims.indices.sorted { sims[$0] > sims[$1] || (sims[$0] == sims[$1] && $0 < $1) }
        let top = order.prefix(min(k, b.rows))
        let sMax = sims[top.first!]
        var scores = [Double](repeating: 0, count: classes)
        for j in top { scores[labels[j]] += exp((sims[j] - sMax) / t) }
        let ranking = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return Array(ranking.prefix(min(ranked, classes)))
    }
}

/// `n` points near the coordinate axis of their class in `d` dimensions.
private func axisClusters<T: BLASScalar>(_ n: Int, d: Int, classes: Int, noise: Double,
                                         using rng: inout RandomGenerator) -> (Tensor<T>, [Int]) {
    var x = Tensor<T>.randomNormal([n, d], std: T(noise), using: &rng)
    var labels = [Int]()
    for i in 0..<n {
        let c = i % classes
        labels.append(c)
        x[i, c] += 1
    }
    return (x, labels)
}

@Suite struct KNNMonitorTests {
    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func clustersOnOrthogonalAxesAreClassifiedPerfectly(_ type: any BLASScalar.Type) throws {
        func run<T: BLASScalar>(_: T.Type) throws {
            var rng = RandomGenerator(seed: 1)
            let (bank, bankLabels): (Tensor<T>, [Int]) = axisClusters(400, d: 8, classes: 5, noise: 0.05, using: &rng)
            let (queries, queryLabels): (Tensor<T>, [Int]) = axisClusters(100, d: 8, classes: 5, noise: 0.05, using: &rng)
            let result = try KNNMonitor(k: 20, temperature: 0.1).evaluate(
                queries: queries, queryLabels: queryLabels, bank: bank, bankLabels: bankLabels, classCount: 5)
            #expect(result.top1 == 1.0)
            #expect(result.top5 == 1.0)
            #expect(result.predictions == queryLabels)
            #expect(result.k == 20 && result.queryCount == 100 && result.bankCount == 400)
        }
        try run(type)
    }

    @Test func weightedVoteBeatsMajorityVote() throws {
        // Query e0. One bank point of class 0 at cos 1, two of class 1 at cos 0.8.
        // t = 0.1: class 0 gets e^10 ≈ 22026, class 1 gets 2e^8 ≈ 5962 → class 0.
        // t = 100: weights ≈ 1 each → majority, class 1.
        let s = 0.6
        let bank = Tensor<Double>(rows: [[1, 0, 0], [0.8, s, 0], [0.8, 0, s]])
        let query = Tensor<Double>(rows: [[1, 0, 0]])
        let weighted = try KNNMonitor(k: 3, temperature: 0.1).rankClasses(
            queries: query, bank: bank, bankLabels: [0, 1, 1], classCount: 2, ranked: 2)
        #expect(weighted == [[0, 1]])
        let flat = try KNNMonitor(k: 3, temperature: 100).predict(
            queries: query, bank: bank, bankLabels: [0, 1, 1], classCount: 2)
        #expect(flat == [1])
    }

    @Test func tiesPreferLowerBankIndexThenLowerClass() throws {
        // Two identical bank vectors with different labels: with k = 1 the lower index (label 2) wins.
        let bank = Tensor<Float>(rows: [[0, 1], [0, 1], [1, 0]])
        let query = Tensor<Float>(rows: [[0, 3]])
        let one = try KNNMonitor(k: 1).predict(queries: query, bank: bank, bankLabels: [2, 1, 0], classCount: 3)
        #expect(one == [2])
        // With k = 2 both vote with equal weight: class scores tie, the lower class (1) wins.
        let two = try KNNMonitor(k: 2).rankClasses(queries: query, bank: bank, bankLabels: [2, 1, 0],
                                                    classCount: 3, ranked: 3)
        #expect(two == [[1, 2, 0]])
    }

    @Test func kLargerThanBankUsesTheWholeBank() throws {
        let bank = Tensor<Double>(rows: [[1, 0], [0.9, 0.1], [0, 1]])
        let queries = Tensor<Double>(rows: [[1, 0.05], [0.1, 1]])
        let result = try KNNMonitor(k: 200, temperature: 0.5).evaluate(
            queries: queries, queryLabels: [0, 1], bank: bank, bankLabels: [0, 0, 1], classCount: 2)
        #expect(result.k == 3)
        let expected = naiveRanks(queries: queries, bank: bank, labels: [0, 0, 1], classes: 2, k: 3, t: 0.5, ranked: 1)
        #expect(result.predictions == expected.map { $0[0] })
        #expect(result.predictions == [0, 1])
        #expect(result.top1 == 1.0)
    }

    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func agreesWithFullSortReference(_ type: any BLASScalar.Type) throws {
        func run<T: BLASScalar>(_: T.Type) throws {
            var rng = RandomGenerator(seed: 5)
            let bank = Tensor<T>.randomNormal([300, 6], using: &rng)
            let queries = Tensor<T>.randomNormal([40, 6], using: &rng)
            let labels = (0..<300).map { _ in rng.nextInt(below: 7) }
            for k in [1, 10, 57] {
                let fast = try KNNMonitor(k: k, temperature: 0.1, chunkSize: 9).rankClasses(
                    queries: queries, bank: bank, bankLabels: labels, classCount: 7, ranked: 5)
                let slow = naiveRanks(queries: queries, bank: bank, labels: labels, classes: 7, k: k, t: 0.1, ranked: 5)
                #expect(fast.map { $0[0] } == slow.map { $0[0] }, "k = \(k)")
                // Lower ranks can swap on near-equal scores in Float; the top-5 sets must agree in Double.
                if T.self == Double.self { #expect(fast == slow, "k = \(k)") }
            }
        }
        try run(type)
    }

    /// Similarities are cosines: the bank's row norms are divided out of the GEMM's dot products
    /// (the bank is not copied), so rescaling bank rows by factors from 10⁻³ to 10³ changes nothing.
    @Test func bankRowNormsDoNotMatter() throws {
        var rng = RandomGenerator(seed: 13)
        let bank = Tensor<Double>.randomNormal([200, 8], using: &rng)
        let queries = Tensor<Double>.randomNormal([30, 8], using: &rng)
        let labels = (0..<200).map { _ in rng.nextInt(below: 4) }
        var scaled = bank
        for i in 0..<bank.rows {
            let f = pow(10, rng.nextUniform() * 6 - 3)
            for j in 0..<bank.columns { scaled[i, j] *= f }
        }
        let monitor = KNNMonitor(k: 15, temperature: 0.1)
        let a = try monitor.rankClasses(queries: queries, bank: bank, bankLabels: labels, classCount: 4, ranked: 4)
        let b = try monitor.rankClasses(queries: queries, bank: scaled, bankLabels: labels, classCount: 4, ranked: 4)
        #expect(a == b)
        #expect(a == naiveRanks(queries: queries, bank: scaled, labels: labels, classes: 4, k: 15, t: 0.1, ranked: 4))
    }

    @Test func chunkedAndUnchunkedAgree() throws {
        var rng = RandomGenerator(seed: 9)
        let bank = Tensor<Float>.randomNormal([1000, 16], using: &rng)
        let queries = Tensor<Float>.randomNormal([123, 16], using: &rng)
        let labels = (0..<1000).map { _ in rng.nextInt(below: 10) }
        let qLabels = (0..<123).map { _ in rng.nextInt(below: 10) }
        let whole = try KNNMonitor(k: 50, chunkSize: 123).evaluate(
            queries: queries, queryLabels: qLabels, bank: bank, bankLabels: labels, classCount: 10)
        for chunk in [1, 7, 64, 1000] {
            let part = try KNNMonitor(k: 50, chunkSize: chunk, threads: 2).evaluate(
                queries: queries, queryLabels: qLabels, bank: bank, bankLabels: labels, classCount: 10)
            #expect(part == whole, "chunk \(chunk)")
        }
        // Auto chunking under a tiny memory budget (3 queries × 1000 similarities at a time).
        let budget = try KNNMonitor(k: 50, maxSimilarityElements: 3000, threads: 1).evaluate(
            queries: queries, queryLabels: qLabels, bank: bank, bankLabels: labels, classCount: 10)
        #expect(budget == whole)
    }

    @Test func topFiveCountsLabelsAmongTheFiveBestClasses() throws {
        // Query near e0; bank classes 0..5 at decreasing similarity, so the ranking is 0,1,2,3,4,5.
        let angles = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        let bank = Tensor<Double>(rows: angles.map { [cos($0), sin($0)] })
        let queries = Tensor<Double>(rows: [[1, 0], [1, 0], [1, 0]])
        let ranks = try KNNMonitor(k: 6).rankClasses(queries: queries, bank: bank, bankLabels: Array(0..<6),
                                                     classCount: 6, ranked: 5)
        #expect(ranks[0] == [0, 1, 2, 3, 4])
        let result = try KNNMonitor(k: 6).evaluate(queries: queries, queryLabels: [0, 4, 5], bank: bank,
                                                   bankLabels: Array(0..<6), classCount: 6)
        #expect(abs(result.top1 - 1.0 / 3) < 1e-12)
        #expect(abs(result.top5 - 2.0 / 3) < 1e-12)
        #expect(result.description.contains("top-1 33.33%"))
    }

    @Test func badInputIsATypedError() {
        let bank = Tensor<Float>(rows: [[1, 0], [0, 1]])
        #expect(throws: EvalError.labelOutOfRange(name: "bank labels", index: 1, label: 3, classCount: 2)) {
            try KNNMonitor().predict(queries: bank, bank: bank, bankLabels: [0, 3], classCount: 2)
        }
        #expect(throws: EvalError.dimensionMismatch(name: "queries", expected: 2, actual: 3)) {
            try KNNMonitor().predict(queries: Tensor<Float>(rows: [[1, 0, 0]]), bank: bank, bankLabels: [0, 1], classCount: 2)
        }
        #expect(throws: EvalError.nonFiniteFeatures(name: "queries", row: 0, column: 1)) {
            try KNNMonitor().predict(queries: Tensor<Float>(rows: [[1, .nan]]), bank: bank, bankLabels: [0, 1], classCount: 2)
        }
        #expect(throws: EvalError.labelCountMismatch(name: "query labels", labels: 1, rows: 2)) {
            try KNNMonitor().evaluate(queries: bank, queryLabels: [0], bank: bank, bankLabels: [0, 1], classCount: 2)
        }
        #expect(throws: EvalError.invalidParameter(name: "k", value: "0", requirement: "≥ 1")) {
            try KNNMonitor(k: 0).predict(queries: bank, bank: bank, bankLabels: [0, 1], classCount: 2)
        }
        let message = EvalError.labelOutOfRange(name: "bank labels", index: 1, label: 3, classCount: 2).description
        #expect(message == "bank labels: label 3 at index 1 is outside 0..<2")
    }

    @Test func topKSelectorKeepsTheLargest() {
        var rng = RandomGenerator(seed: 3)
        let row = (0..<1000).map { _ in Double(rng.nextInt(below: 50)) }   // many ties
        var selector = TopKSelector<Double>(k: 37)
        row.withUnsafeBufferPointer { selector.select($0.baseAddress!, count: row.count) }
        let expected = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(37)
        #expect(Set(selector.indices.map { Int($0) }) == Set(expected))
        #expect(selector.maximum == row.max())
    }
}
