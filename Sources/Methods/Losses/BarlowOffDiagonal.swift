import TensorCore

/// Barlow Twins' redundancy-reduction (off-diagonal) term with its weight λ:
///
///     ℓ_off = λ Σ_i Σ_{j≠i} C_ij²,     ∂ℓ_off/∂C_ij = 2λ C_ij (i ≠ j),  0 on the diagonal
///
/// Reference: Zbontar et al., Barlow Twins, ICML 2021, Eq. 1 (λ = 0.0051).
public enum BarlowOffDiagonal {
    /// `λ Σ_{i≠j} C_ij²`.
    public static func value<Scalar: BLASScalar>(C: Tensor<Scalar>, lambda: Scalar) -> Scalar {
        let d = C.rows
        var s: Scalar = 0
        for i in 0..<d { for j in 0..<d where i != j { s += C.scalars[i * d + j] * C.scalars[i * d + j] } }
        return lambda * s
    }

    /// `∂ℓ_off/∂C`, `(D, D)`.
    public static func gradient<Scalar: BLASScalar>(C: Tensor<Scalar>, lambda: Scalar) -> Tensor<Scalar> {
        let d = C.rows
        var G = C * (2 * lambda)
        for i in 0..<d { G.scalars[i * d + i] = 0 }
        return G
    }
}
