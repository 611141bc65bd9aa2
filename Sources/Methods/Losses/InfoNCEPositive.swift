import TensorCore

/// The positive logit term of InfoNCE:
///
///     ℓ⁺_b = −u_b · p_b / τ,    ∂ℓ⁺_b/∂u_b = −p_b/τ,    ∂ℓ⁺_b/∂p_b = −u_b/τ
///
/// Reference: Oord et al. 2018 (CPC); He et al., MoCo, CVPR 2020; Tao et al., CVPR 2022 §2.1.
public enum InfoNCEPositive {
    /// `ℓ⁺_b` per anchor.
    public static func values<Scalar: BLASScalar>(u: Tensor<Scalar>, positives p: Tensor<Scalar>, tau: Scalar) -> [Scalar] {
        u.rowDots(p).map { -$0 / tau }
    }

    /// `∂ℓ⁺_b/∂u_b = −p_b/τ` (and, by symmetry, `∂ℓ⁺_b/∂p_b = −u_b/τ`).
    public static func gradient<Scalar: BLASScalar>(positives p: Tensor<Scalar>, tau: Scalar) -> Tensor<Scalar> {
        p * (-1 / tau)
    }
}
