import TensorCore

/// VICReg's covariance term for one branch, with weight `w`:
///
///     Cov = X̄ᵀX̄/(N−1) (X̄ = z − mean),   ℓ_cov = w · 1/D Σ_{i≠j} Cov_ij²
///     ∂ℓ_cov/∂z = 4w/(D(N−1)) · X̄ offdiag(Cov)
///
/// (the centring needs no extra backward term: the columns of `X̄·offdiag(Cov)` sum to zero).
/// Reference: Bardes, Ponce & LeCun, VICReg, ICLR 2022 (w = 1); paper.md check C11.
public enum VICRegCovariance {
    /// `(X̄, Cov)`.
    public static func covariance<Scalar: BLASScalar>(_ z: Tensor<Scalar>) -> (centered: Tensor<Scalar>, cov: Tensor<Scalar>) {
        precondition(z.rows >= 2, "VICReg covariance needs N ≥ 2, got \(z.shape)")
        let xc = z.addingRowVector(-z.meanRows())
        return (xc, xc.matmul(xc, transposeSelf: true) / Scalar(z.rows - 1))
    }

    /// `offdiag(A)`: `A` with its diagonal set to 0.
    public static func offDiagonal<Scalar: BLASScalar>(_ A: Tensor<Scalar>) -> Tensor<Scalar> {
        var o = A
        for i in 0..<A.rows { o.scalars[i * A.columns + i] = 0 }
        return o
    }

    /// `w/D Σ_{i≠j} Cov_ij²`.
    public static func value<Scalar: BLASScalar>(z: Tensor<Scalar>, weight: Scalar) -> Scalar {
        let o = offDiagonal(covariance(z).cov)
        return weight * o.squaredNorm() / Scalar(z.columns)
    }

    /// `∂ℓ_cov/∂z`, `(N, D)`.
    public static func gradient<Scalar: BLASScalar>(z: Tensor<Scalar>, weight: Scalar) -> Tensor<Scalar> {
        let (xc, cov) = covariance(z)
        return xc.matmul(offDiagonal(cov)) * (4 * weight / (Scalar(z.columns) * Scalar(z.rows - 1)))
    }
}
