import TensorCore

/// The official code's surrogate for a hand-built gradient `g` (paper.md §4, check C4):
///
///     ℓ = ½ (1/N Σ_b ⟨sg(g1_b), x1_b⟩ + 1/N Σ_b ⟨sg(g2_b), x2_b⟩),     ∂ℓ/∂x1_b = g1_b / (2N)
///
/// Reference: Tao et al., CVPR 2022, official `project/pretrainer.py`.
public enum SurrogateInnerProduct {
    /// `½·1/N Σ_b ⟨g_b, x_b⟩` for one view (half of the symmetrised surrogate).
    public static func value<Scalar: BLASScalar>(g: Tensor<Scalar>, x: Tensor<Scalar>) -> Scalar {
        g.dot(x) / Scalar(2 * x.rows)
    }

    /// `∂/∂x_b = g_b/(2N)`.
    public static func gradient<Scalar: BLASScalar>(g: Tensor<Scalar>) -> Tensor<Scalar> {
        g / Scalar(2 * g.rows)
    }
}
