import TensorCore

/// Barlow Twins' invariance (on-diagonal) term:
///
///     ℓ_on = Σ_i (1 − C_ii)²,       ∂ℓ_on/∂C_ii = −2 (1 − C_ii),  0 off the diagonal
///
/// Reference: Zbontar et al., Barlow Twins, ICML 2021, Eq. 1.
public enum BarlowOnDiagonal {
    /// `Σ_i (1 − C_ii)²`.
    public static func value<Scalar: BLASScalar>(C: Tensor<Scalar>) -> Scalar {
        C.diagonal().reduce(0) { $0 + (1 - $1) * (1 - $1) }
    }

    /// `∂ℓ_on/∂C`, `(D, D)`.
    public static func gradient<Scalar: BLASScalar>(C: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = C.rows
        var G = Tensor<Scalar>.zeros([d, d])
        for i in 0..<d { G.scalars[i * d + i] = -2 * (1 - C.scalars[i * d + i]) }
        return G
    }
}
