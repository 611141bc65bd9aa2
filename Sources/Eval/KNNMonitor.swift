import Dispatch
import Foundation
import TensorCore

/// The weighted k-nearest-neighbour monitor of self-supervised learning.
///
/// Protocol of InstDisc (Wu et al., CVPR 2018) as used by the MoCo/SimSiam/UniGrad code's
/// `knn_predict`: bank and query features are ℓ2-normalised, the similarity of a query `q` to a
/// bank entry `b` is the cosine `s = q·b`, the `k` most similar bank entries vote for their labels
/// with weight `exp(s/t)`, and the predicted class is
///
///     ŷ(q) = argmax_c Σ_{j ∈ topk(q)} exp(s_j / t) · [y_j = c].
///
/// Votes are computed as `exp((s_j − s_max)/t)`, a common factor per query that leaves the ranking
/// of classes unchanged and never overflows, even for tiny `t`.
///
/// Determinism: among equal similarities the lower bank index ranks first; among equal class
/// scores the lower class index ranks first.
///
/// Cost: one GEMM of a chunk of normalised queries against the bank as given, `(c, D)·(M, D)ᵀ →
/// (c, M)`, each column then scaled by its bank row's inverse norm (`s = q̂·b / ‖b‖`, so the bank
/// is never copied: 983 MB for a 60k × 4096 bank), then a partial top-`k` selection per row with
/// a size-`k` heap (`O(M log k)`, no full sort). Chunks bound the memory to `chunkSize × M`
/// similarities.
///
/// ```swift
/// let monitor = KNNMonitor(k: 200, temperature: 0.1)
/// let result = try monitor.evaluate(queries: testFeatures, queryLabels: testLabels,
///                                   bank: trainFeatures, bankLabels: trainLabels, classCount: 10)
/// print(result)   // kNN (k=200, t=0.100): top-1 81.78%, top-5 99.63% on 10000 queries, bank 60000
/// ```
public struct KNNMonitor: Sendable, Equatable {
    /// Number of neighbours that vote (`k`); clamped to the bank size.
    public var k: Int
    /// Temperature `t` of the vote weights `exp(sim/t)`.
    public var temperature: Double
    /// Queries per GEMM chunk; `nil` chooses `max(1, maxSimilarityElements / M)`.
    public var chunkSize: Int?
    /// Upper bound on the similarities held at once when `chunkSize` is `nil`.
    public var maxSimilarityElements: Int
    /// Threads for the top-`k` selection and voting (the GEMM uses OpenBLAS's own threads).
    public var threads: Int

    /// A monitor with the InstDisc/MoCo defaults `k = 200`, `t = 0.1`.
    public init(k: Int = 200, temperature: Double = 0.1, chunkSize: Int? = nil,
                maxSimilarityElements: Int = 1 << 23, threads: Int = 2) {
        self.k = k
        self.temperature = temperature
        self.chunkSize = chunkSize
        self.maxSimilarityElements = maxSimilarityElements
        self.threads = threads
    }

    /// Class rankings for each query: the `min(ranked, C)` best classes by weighted vote, best first.
    ///
    /// - Parameters:
    ///   - queries: `(Q, D)` features (normalised here).
    ///   - bank: `(M, D)` features (their norms are divided out of the similarities; not copied).
    ///   - bankLabels: `M` labels in `0..<classCount`.
    ///   - ranked: how many classes to return per query (5 for top-5 accuracy).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rankClasses<Scalar: BLASScalar>(queries: Tensor<Scalar>, bank: Tensor<Scalar>,
                                               bankLabels: [Int], classCount: Int,
                                               ranked: Int = 5) throws(EvalError) -> [[Int]] {
        try validate()
        try EvalValidation.matrix(bank, name: "bank")
        try EvalValidation.matrix(queries, name: "queries", width: bank.columns)
        try EvalValidation.labels(bankLabels, rows: bank.rows, classCount: classCount, name: "bank labels")
        guard ranked >= 1 else { throw .invalidParameter(name: "ranked", value: "\(ranked)", requirement: "≥ 1") }

        let (q, m, d) = (queries.rows, bank.rows, bank.columns)
        let kk = Swift.min(k, m), r = Swift.min(ranked, classCount)
        let chunk = Swift.max(1, Swift.min(q, chunkSize ?? Swift.max(1, maxSimilarityElements / m)))
        let invNorms = Self.inverseRowNorms(bank)
        let invT = 1 / temperature
        let labels = bankLabels.map { Int32($0) }
        var ranks = [Int32](repeating: 0, count: q * r)
        var sims = [Scalar](repeating: 0, count: chunk * m)

        var start = 0
        while start < q {
            let rowsHere = Swift.min(chunk, q - start)
            let qc = Self.normalizedRows(queries, rows: start..<(start + rowsHere))
            // sims: (c, D)·(M, D)ᵀ → (c, M)
            qc.withUnsafeBufferPointer { a in
                bank.scalars.withUnsafeBufferPointer { bb in
                    sims.withUnsafeMutableBufferPointer { s in
                        Scalar.gemm(transA: false, transB: true, m: rowsHere, n: m, k: d,
                                    alpha: 1, a: a.baseAddress!, lda: d, b: bb.baseAddress!, ldb: d,
                                    beta: 0, c: s.baseAddress!, ldc: m)
                        // s_ij = q̂_i·b_j / ‖b_j‖
                        invNorms.withUnsafeBufferPointer { inv in
                            for i in 0..<rowsHere {
                                let row = s.baseAddress! + i * m
                                for j in 0..<m { row[j] *= inv[j] }
                            }
                        }
                    }
                }
            }
            let workers = Swift.max(1, Swift.min(threads, rowsHere))
            sims.withUnsafeBufferPointer { s in
                labels.withUnsafeBufferPointer { lab in
                    ranks.withUnsafeMutableBufferPointer { out in
                        let shared = SharedPointers(sims: s.baseAddress!, labels: lab.baseAddress!,
                                                    out: out.baseAddress! + start * r)
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            var selector = TopKSelector<Scalar>(k: kk)
                            var scores = [Double](repeating: 0, count: classCount)
                            var row = w
                            while row < rowsHere {
                                selector.select(shared.sims + row * m, count: m)
                                for c in 0..<classCount { scores[c] = 0 }
                                let sMax = Double(selector.maximum)
                                for j in 0..<selector.count {
                                    let label = Int(shared.labels[Int(selector.indices[j])])
                                    scores[label] += exp((Double(selector.values[j]) - sMax) * invT)
                                }
                                Self.topClasses(scores, r, into: shared.out + row * r)
                                row += workers
                            }
                        }
                    }
                }
            }
            start += rowsHere
        }
        return (0..<q).map { i in ranks[(i * r)..<((i + 1) * r)].map { Int($0) } }
    }

    /// Predicted classes (top-1 of the weighted vote) for each query.
    public func predict<Scalar: BLASScalar>(queries: Tensor<Scalar>, bank: Tensor<Scalar>,
                                           bankLabels: [Int], classCount: Int) throws(EvalError) -> [Int] {
        try rankClasses(queries: queries, bank: bank, bankLabels: bankLabels, classCount: classCount,
                        ranked: 1).map { $0[0] }
    }

    /// Top-1 and top-5 accuracy of the weighted kNN vote on labelled queries.
    public func evaluate<Scalar: BLASScalar>(queries: Tensor<Scalar>, queryLabels: [Int],
                                            bank: Tensor<Scalar>, bankLabels: [Int],
                                            classCount: Int) throws(EvalError) -> KNNResult {
        try EvalValidation.labels(queryLabels, rows: queries.rank == 2 ? queries.rows : 0,
                                  classCount: classCount, name: "query labels")
        let ranks = try rankClasses(queries: queries, bank: bank, bankLabels: bankLabels,
                                    classCount: classCount, ranked: 5)
        var top1 = 0, top5 = 0
        for (y, rank) in zip(queryLabels, ranks) {
            if rank[0] == y { top1 += 1 }
            if rank.contains(y) { top5 += 1 }
        }
        let n = Double(queryLabels.count)
        return KNNResult(top1: Double(top1) / n, top5: Double(top5) / n, queryCount: queryLabels.count,
                         bankCount: bank.rows, k: Swift.min(k, bank.rows), temperature: temperature,
                         predictions: ranks.map { $0[0] })
    }

    /// Rows `range` of `x` divided by their ℓ2 norms (clamped at 1e−12 like `l2NormalizedRows`),
    /// written here so that the specialised callers run it without generic dispatch.
    private static func normalizedRows<Scalar: BLASScalar>(_ x: Tensor<Scalar>, rows range: Range<Int>? = nil) -> [Scalar] {
        let r = range ?? 0..<x.rows, d = x.columns
        var out = [Scalar](repeating: 0, count: r.count * d)
        x.scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (o, i) in r.enumerated() {
                    let inv = inverseNorm(src.baseAddress! + i * d, count: d)
                    for j in 0..<d { dst[o * d + j] = src[i * d + j] * inv }
                }
            }
        }
        return out
    }

    /// `1 / max(‖x_i‖, 1e−12)` for each row of `x`.
    private static func inverseRowNorms<Scalar: BLASScalar>(_ x: Tensor<Scalar>) -> [Scalar] {
        let d = x.columns
        return x.scalars.withUnsafeBufferPointer { src in
            (0..<x.rows).map { i in inverseNorm(src.baseAddress! + i * d, count: d) }
        }
    }

    /// `1 / max(‖v‖, 1e−12)` of the `count` values at `v` (the clamp of `l2NormalizedRows`).
    private static func inverseNorm<Scalar: BLASScalar>(_ v: UnsafePointer<Scalar>, count d: Int) -> Scalar {
        var sq: Scalar = 0
        for j in 0..<d { sq += v[j] * v[j] }
        return 1 / Swift.max(sq.squareRoot(), Scalar(1e-12))
    }

    private func validate() throws(EvalError) {
        guard k >= 1 else { throw .invalidParameter(name: "k", value: "\(k)", requirement: "≥ 1") }
        guard temperature > 0, temperature.isFinite else {
            throw .invalidParameter(name: "t", value: "\(temperature)", requirement: "finite and > 0")
        }
        if let chunkSize, chunkSize < 1 {
            throw .invalidParameter(name: "chunk", value: "\(chunkSize)", requirement: "≥ 1")
        }
    }

    /// Writes the `r` best classes by score (ties: lower class first) to `out`.
    private static func topClasses(_ scores: [Double], _ r: Int, into out: UnsafeMutablePointer<Int32>) {
        var taken = 0
        while taken < r {
            var best = -1
            for c in 0..<scores.count {
                if best < 0 || scores[c] > scores[best] {
                    var used = false
                    for t in 0..<taken where out[t] == Int32(c) { used = true; break }
                    if !used { best = c }
                }
            }
            out[taken] = Int32(best)
            taken += 1
        }
    }
}

/// Raw pointers shared read-only (sims, labels) or row-disjointly (out) by the selection workers.
private struct SharedPointers<Scalar>: @unchecked Sendable {
    let sims: UnsafePointer<Scalar>
    let labels: UnsafePointer<Int32>
    let out: UnsafeMutablePointer<Int32>
}

/// Partial top-`k` selection of one row with a binary min-heap of size `k`.
///
/// The heap root is the *worst* kept entry (smallest similarity; among equals, the highest index),
/// so a scanned entry enters only when it beats the root: `O(M log k)` worst case and about `O(M)`
/// when most entries are rejected by one comparison.
struct TopKSelector<Scalar: BLASScalar> {
    let k: Int
    private(set) var values: [Scalar]
    private(set) var indices: [Int32]
    private(set) var count = 0

    init(k: Int) {
        precondition(k >= 1, "TopKSelector needs k ≥ 1, got \(k)")
        self.k = k
        values = [Scalar](repeating: 0, count: k)
        indices = [Int32](repeating: 0, count: k)
    }

    /// The largest selected value (valid after `select`).
    var maximum: Scalar { values[0..<count].max() ?? 0 }

    /// Keeps the `min(k, n)` largest of `row[0..<n]` (unordered) in `values`/`indices`.
    mutating func select(_ row: UnsafePointer<Scalar>, count n: Int) {
        let kk = Swift.min(k, n)
        count = kk
        values.withUnsafeMutableBufferPointer { v in
            indices.withUnsafeMutableBufferPointer { ix in
                for j in 0..<kk {
                    v[j] = row[j]
                    ix[j] = Int32(j)
                }
                var i = kk / 2 - 1
                while i >= 0 { Self.siftDown(v, ix, i, kk); i -= 1 }
                guard kk < n else { return }
                for j in kk..<n {
                    let s = row[j]
                    // Equal to the root: the root has the lower index, so it stays.
                    if s > v[0] {
                        v[0] = s
                        ix[0] = Int32(j)
                        Self.siftDown(v, ix, 0, kk)
                    }
                }
            }
        }
    }

    /// `a` is worse than `b`: smaller value, or equal value and higher index.
    @inline(__always)
    private static func worse(_ va: Scalar, _ ia: Int32, _ vb: Scalar, _ ib: Int32) -> Bool {
        va < vb || (va == vb && ia > ib)
    }

    @inline(__always)
    private static func siftDown(_ v: UnsafeMutableBufferPointer<Scalar>, _ ix: UnsafeMutableBufferPointer<Int32>,
                                 _ start: Int, _ n: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var c = l
            let r = l + 1
            if r < n && worse(v[r], ix[r], v[l], ix[l]) { c = r }
            if worse(v[c], ix[c], v[i], ix[i]) {
                v.swapAt(i, c)
                ix.swapAt(i, c)
                i = c
            } else {
                return
            }
        }
    }
}

/// The outcome of a kNN evaluation.
public struct KNNResult: Sendable, Equatable, CustomStringConvertible {
    /// Fraction of queries whose top-ranked class is their label.
    public var top1: Double
    /// Fraction of queries whose label is among the 5 top-ranked classes.
    public var top5: Double
    /// Number of queries evaluated.
    public var queryCount: Int
    /// Number of bank entries.
    public var bankCount: Int
    /// Neighbours that voted (`min(k, bankCount)`).
    public var k: Int
    /// Vote temperature.
    public var temperature: Double
    /// The predicted class of every query.
    public var predictions: [Int]

    public var description: String {
        "kNN (k=\(k), t=\(formatScalar(temperature, precision: 3))): top-1 \(percent(top1)), "
            + "top-5 \(percent(top5)) on \(queryCount) queries, bank \(bankCount)"
    }
}

func percent(_ x: Double) -> String {
    let v = (x * 10000).rounded() / 100
    let text = String(v)
    let parts = text.split(separator: ".")
    let frac = parts.count > 1 ? String(parts[1]) : ""
    return parts[0] + "." + (frac + "00").prefix(2) + "%"
}
