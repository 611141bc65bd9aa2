import TensorCore

/// The log-sum-exp (partition) term of InfoNCE over a key set `K` `(M, D)`:
///
///     ℓˡˢᵉ_b = log( [e^{u_b·p_b/τ}] + Σ_{k∈K, k≠self} e^{u_b·k/τ} )
///     ∂ℓˡˢᵉ_b/∂u_b = (1/τ) ( [s⁺_b p_b] + Σ_k s_{b,k} k ),   ∂ℓˡˢᵉ_b/∂k = s_{b,k} u_b / τ
///
/// where `s` is the softmax over the logits. The bracketed positive is included for MoCo (the
/// positive is not in the queue); `excludeDiagonal` drops key `b` from anchor `b`'s sum (NT-Xent).
/// Reference: Oord et al. 2018; Chen et al., SimCLR, ICML 2020; Tao et al., CVPR 2022 §2.1, C1.
public enum InfoNCELogSumExp {
    /// The forward result: per-anchor values, softmax weights over `K` and over the extra positive.
    public struct Forward<Scalar: BLASScalar> {
        /// `ℓˡˢᵉ_b`.
        public var values: [Scalar]
        /// `s_{b,k}`, `(N, M)` (0 on an excluded diagonal).
        public var weights: Tensor<Scalar>
        /// `s⁺_b` of the separately given positive (all 0 when none is given).
        public var positiveWeights: [Scalar]
    }

    /// Computes the term for anchors `u` `(N, D)` and keys `K` `(M, D)`.
    public static func forward<Scalar: BLASScalar>(u: Tensor<Scalar>, keys K: Tensor<Scalar>, tau: Scalar,
                                                   extraPositives p: Tensor<Scalar>? = nil,
                                                   excludeDiagonal: Bool = false) -> Forward<Scalar> {
        let n = u.rows, m = K.rows
        precondition(!excludeDiagonal || m == n, "excludeDiagonal needs N = M, got \(n), \(m)")
        let extra = p != nil ? 1 : 0
        let width = m + extra
        var logits = [Scalar](repeating: 0, count: n * width)
        let uk = m > 0 ? u.matmul(K, transposeOther: true) : Tensor<Scalar>.zeros([n, 0])
        let up = p.map { u.rowDots($0) }
        for b in 0..<n {
            if let up { logits[b * width] = up[b] / tau }
            for k in 0..<m { logits[b * width + extra + k] = uk.scalars[b * m + k] / tau }
            if excludeDiagonal { logits[b * width + extra + b] = -Scalar.infinity }
        }
        let (s, lse) = Tensor(shape: [n, width], scalars: logits).rowSoftmax()
        var w = [Scalar](), sp = [Scalar](repeating: 0, count: n)
        w.reserveCapacity(n * m)
        for b in 0..<n {
            if extra == 1 { sp[b] = s.scalars[b * width] }
            w += s.scalars[(b * width + extra)..<((b + 1) * width)]
        }
        return Forward(values: lse, weights: Tensor(shape: [n, m], scalars: w), positiveWeights: sp)
    }

    /// `∂ℓˡˢᵉ_b/∂u_b = (1/τ)(s⁺_b p_b + Σ_k s_{b,k} k)`, `(N, D)`.
    public static func gradientAnchors<Scalar: BLASScalar>(_ f: Forward<Scalar>, keys K: Tensor<Scalar>, tau: Scalar,
                                                           extraPositives p: Tensor<Scalar>? = nil) -> Tensor<Scalar> {
        var g = K.rows > 0 ? f.weights.matmul(K) : Tensor<Scalar>.zeros([f.weights.rows, K.columns])
        if let p { g += p.scalingRows(f.positiveWeights) }
        return g * (1 / tau)
    }

    /// `Σ_b ∂ℓˡˢᵉ_b/∂k = (1/τ) Σ_b s_{b,k} u_b`, `(M, D)` (for keys that receive gradient).
    public static func gradientKeys<Scalar: BLASScalar>(_ f: Forward<Scalar>, anchors u: Tensor<Scalar>, tau: Scalar) -> Tensor<Scalar> {
        f.weights.matmul(u, transposeSelf: true) * (1 / tau)
    }
}
