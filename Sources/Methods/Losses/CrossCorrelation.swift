import TensorCore

/// The cross-correlation matrix of two feature batches and its backward:
///
///     C = aᵀ b / N   (D×D),      ∂L/∂a = b Gᵀ / N,   ∂L/∂b = a G / N,   G = ∂L/∂C
///
/// With batch-standardised `a = z̃1`, `b = z̃2` this is Barlow Twins' `C`; with unit rows it is the
/// ℓ2 form of paper.md §2.3. Reference: Zbontar et al., Barlow Twins, ICML 2021.
public enum CrossCorrelation {
    /// `C = aᵀb/N`.
    public static func forward<Scalar: BLASScalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(a.shape == b.shape, "CrossCorrelation: \(a.shape) vs \(b.shape)")
        return a.matmul(b, transposeSelf: true) / Scalar(a.rows)
    }

    /// `(∂L/∂a, ∂L/∂b)` from `G = ∂L/∂C`.
    public static func backward<Scalar: BLASScalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, gradC G: Tensor<Scalar>)
        -> (Tensor<Scalar>, Tensor<Scalar>) {
        let n = Scalar(a.rows)
        return (b.matmul(G, transposeOther: true) / n, a.matmul(G) / n)
    }
}
