import TensorCore

/// VICReg's invariance term (PyTorch `F.mse_loss`, a mean over all `N·D` elements) with weight `w`:
///
///     ℓ_inv = w · 1/(ND) Σ_{b,j} (z1_bj − z2_bj)²,     ∂ℓ_inv/∂z1 = 2w (z1 − z2)/(ND) = −∂ℓ_inv/∂z2
///
/// Reference: Bardes, Ponce & LeCun, VICReg, ICLR 2022 (w = 25).
public enum VICRegInvariance {
    /// `w · mean (z1 − z2)²`.
    public static func value<Scalar: BLASScalar>(z1: Tensor<Scalar>, z2: Tensor<Scalar>, weight: Scalar) -> Scalar {
        weight * (z1 - z2).squaredNorm() / Scalar(z1.count)
    }

    /// `∂ℓ_inv/∂z1` (`∂ℓ_inv/∂z2` is its negative).
    public static func gradient<Scalar: BLASScalar>(z1: Tensor<Scalar>, z2: Tensor<Scalar>, weight: Scalar) -> Tensor<Scalar> {
        (z1 - z2) * (2 * weight / Scalar(z1.count))
    }
}
