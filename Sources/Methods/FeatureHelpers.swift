import TensorCore

// Small row-wise helpers shared by the methods (internal).

extension Tensor {
    /// `a_b · b_b` for each row `b` of two `(N, D)` matrices.
    func rowDots(_ other: Tensor) -> [Scalar] {
        precondition(shape == other.shape, "rowDots of \(shape) and \(other.shape)")
        let c = columns
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { o in
                (0..<rows).map { r in Scalar.dot(n: c, x: a.baseAddress! + r * c, y: o.baseAddress! + r * c) }
            }
        }
    }

    /// Row-wise softmax of `(N, M)` logits (max-subtracted), with `log Σ exp` per row.
    func rowSoftmax() -> (p: Tensor, logSumExp: [Scalar]) {
        let c = columns
        var out = scalars
        var lse = [Scalar](repeating: 0, count: rows)
        for r in 0..<rows {
            var m = -Scalar.infinity
            for j in 0..<c where out[r * c + j] > m { m = out[r * c + j] }
            var s: Scalar = 0
            for j in 0..<c {
                let e = out[r * c + j] == -Scalar.infinity ? 0 : Scalar.exp(out[r * c + j] - m)
                out[r * c + j] = e
                s += e
            }
            for j in 0..<c { out[r * c + j] /= s }
            lse[r] = m + Scalar.log(s)
        }
        return (Tensor(shape: shape, scalars: out), lse)
    }
}

/// The two views, normalised, with their targets (`t = normalize(zt)`, defaulting to the online
/// `u` held constant).
struct NormalizedPair<Scalar: BLASScalar> {
    var u1: Tensor<Scalar>, u2: Tensor<Scalar>
    var norms1: [Scalar], norms2: [Scalar]
    var t1: Tensor<Scalar>, t2: Tensor<Scalar>

    init(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>) {
        precondition(z1.rank == 2 && z1.shape == z2.shape && z1.rows >= 1,
                     "methods need z1, z2 of equal shape (N, D), got \(z1.shape) and \(z2.shape)")
        (u1, norms1) = z1.l2NormalizedRowsWithNorms()
        (u2, norms2) = z2.l2NormalizedRowsWithNorms()
        if let z1t = targets.z1t {
            precondition(z1t.shape == z1.shape, "z1t \(z1t.shape) vs z1 \(z1.shape)")
            t1 = z1t.l2NormalizedRows()
        } else { t1 = u1 }
        if let z2t = targets.z2t {
            precondition(z2t.shape == z2.shape, "z2t \(z2t.shape) vs z2 \(z2.shape)")
            t2 = z2t.l2NormalizedRows()
        } else { t2 = u2 }
    }

    var n: Int { u1.rows }
    var d: Int { u1.columns }

    /// `∂L/∂z` from `∂L/∂u` for each view (tangent projection over ‖z‖).
    func backward(_ g1: Tensor<Scalar>, _ g2: Tensor<Scalar>) -> (Tensor<Scalar>, Tensor<Scalar>) {
        (Tensor.l2NormalizeBackward(u: u1, norms: norms1, gradU: g1),
         Tensor.l2NormalizeBackward(u: u2, norms: norms2, gradU: g2))
    }
}

/// Labels `"<prefix>[0]" …`.
func indexLabels(_ prefix: String, _ count: Int, suffix: String = "") -> [String] {
    (0..<count).map { "\(prefix)[\($0)]\(suffix)" }
}

/// An empty negative set for `D`-dimensional vectors.
func emptyNegatives<Scalar: BLASScalar>(n: Int, d: Int) -> (NegativeSet<Scalar>, Tensor<Scalar>) {
    (NegativeSet(vectors: Tensor.zeros([0, d]), labels: []), Tensor.zeros([n, 0]))
}

extension Array where Element: BLASScalar {
    /// Neumaier-compensated sum: the batch-mean losses are sums of N per-sample values, and a
    /// plain sum's rounding (≈ ε·N·|ℓ|) would swamp the O(h/N) change that finite differences
    /// measure at N = 256.
    func compensatedSum() -> Element {
        var s: Element = 0, c: Element = 0
        for x in self {
            let t = s + x
            c += Swift.abs(s) >= Swift.abs(x) ? (s - t) + x : (x - t) + s
            s = t
        }
        return s + c
    }
}
