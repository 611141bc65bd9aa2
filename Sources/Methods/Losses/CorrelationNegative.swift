import TensorCore

/// UniGrad's negative term with the moving-average correlation matrix `F` (held constant):
///
///     ℓ⁻_b = (λ/2) u_bᵀ F u_b,      ∂ℓ⁻_b/∂u_b = λ F u_b = λ Σ_v ρ_v (u_b·v) v
///
/// Reference: Tao et al., CVPR 2022, §3; paper.md §3 and check C3/C12.
public enum CorrelationNegative {
    /// `(λ/2) u_bᵀ F u_b` per sample.
    public static func values<Scalar: BLASScalar>(u: Tensor<Scalar>, F: Tensor<Scalar>, lambda: Scalar) -> [Scalar] {
        u.matmul(F).rowDots(u).map { lambda / 2 * $0 }
    }

    /// `λ F u_b` per row (`F` symmetric, so the row form `u F` is used), `(N, D)`.
    public static func gradient<Scalar: BLASScalar>(u: Tensor<Scalar>, F: Tensor<Scalar>, lambda: Scalar) -> Tensor<Scalar> {
        u.matmul(F) * lambda
    }

    /// `F u_b` written as `Σ_v s_{b,v} v` over a faithful negative set:
    ///
    /// - first step (`previous == nil`, `F = F̂`): `V = [t1; t2]`, `s_{b,v} = (u_b·v)/(2N)`;
    /// - otherwise `F = ρF_prev + (1−ρ)F̂`: `V = [t1; t2; e_1 … e_D]` with the batch targets weighted
    ///   `(1−ρ)(u_b·v)/(2N)` and the past summarised by the eigen-directions `e_k` of
    ///   `F_prev = Σ_k σ_k e_k e_kᵀ`, weighted `ρ σ_k (u_b·e_k)`.
    ///
    /// So `weights · V = F u_b` exactly (to rounding) and `Σ_v ρ_v = tr F = 1` for unit inputs.
    public static func negativeSet<Scalar: BLASScalar>(u: Tensor<Scalar>, t1: Tensor<Scalar>, t2: Tensor<Scalar>,
                                                       previous: Tensor<Scalar>?, rho: Scalar)
        -> (set: NegativeSet<Scalar>, weights: Tensor<Scalar>) {
        let n = t1.rows
        let targets = Tensor.concatenatingRows([t1, t2])
        var labels = indexLabels("t1", n) + indexLabels("t2", n)
        let batchScale = (previous == nil ? 1 : 1 - rho) / Scalar(2 * n)
        var w = u.matmul(targets, transposeOther: true) * batchScale // (N, 2N)
        guard let previous else { return (NegativeSet(vectors: targets, labels: labels), w) }
        let (sigma, vectors) = previous.symmetricEigen()   // eigenvectors as columns
        let e = vectors.transposed()                        // (D, D), rows e_k
        let d = e.rows
        var we = u.matmul(e, transposeOther: true)          // (N, D): u_b·e_k
        for b in 0..<u.rows { for k in 0..<d { we.scalars[b * d + k] *= rho * sigma[k] } }
        labels += (0..<d).map { "F_prev e[\($0)] (σ=\(formatScalar(Double(sigma[$0]), precision: 3)))" }
        w = concatenatingColumns(w, we)
        return (NegativeSet(vectors: Tensor.concatenatingRows([targets, e]), labels: labels), w)
    }

    static func concatenatingColumns<Scalar: BLASScalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(a.rows == b.rows, "concatenatingColumns: \(a.shape) and \(b.shape)")
        var out = [Scalar]()
        out.reserveCapacity(a.count + b.count)
        for r in 0..<a.rows { out += a.row(r); out += b.row(r) }
        return Tensor(shape: [a.rows, a.columns + b.columns], scalars: out)
    }
}
