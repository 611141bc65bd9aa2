import TensorCore

/// The positive (alignment) term of UniGrad / BYOL-style methods on unit vectors:
///
///     ℓ⁺_b = −u_b · t⁺_b,        ∂ℓ⁺_b/∂u_b = −t⁺_b
///
/// Reference: Tao et al., CVPR 2022, §3 (`−cos(u1, u2^m)`).
public enum PositiveCosine {
    /// `ℓ⁺_b` for each sample.
    public static func values<Scalar: BLASScalar>(u: Tensor<Scalar>, positives t: Tensor<Scalar>) -> [Scalar] {
        u.rowDots(t).map { -$0 }
    }

    /// `∂ℓ⁺_b/∂u_b = −t⁺_b`, `(N, D)`.
    public static func gradient<Scalar: BLASScalar>(positives t: Tensor<Scalar>) -> Tensor<Scalar> { -t }
}
