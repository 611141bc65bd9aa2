import TensorCore

/// BYOL's loss with a linear predictor `h(u) = W u` and a unit target `t`:
///
///     ℓ_b = −cos(W u_b, t_b) = −(W u_b)·t_b / ‖W u_b‖
///     ∂ℓ_b/∂u_b = −(1/‖W u_b‖) (Wᵀ t_b − κ_b WᵀW u_b),   κ_b = (W u_b)·t_b / ‖W u_b‖²
///
/// Reference: Grill et al., BYOL, NeurIPS 2020; Tian et al., DirectPred, ICML 2021;
/// Tao et al., CVPR 2022 §2.2, check C7.
public enum PredictorCosine {
    /// Forward quantities per sample: `ℓ_b`, `‖W u_b‖`, `κ_b`, and `W u_b` `(N, D)`.
    public struct Forward<Scalar: BLASScalar> {
        public var values: [Scalar]
        public var predictionNorms: [Scalar]
        public var kappa: [Scalar]
        public var predictions: Tensor<Scalar>
    }

    /// `W u_b` is computed in row form as `u Wᵀ`.
    public static func forward<Scalar: BLASScalar>(u: Tensor<Scalar>, targets t: Tensor<Scalar>, W: Tensor<Scalar>) -> Forward<Scalar> {
        let h = u.matmul(W, transposeOther: true)
        let norms = h.rowNorms()
        let ht = h.rowDots(t)
        return Forward(values: zip(ht, norms).map { -$0 / $1 }, predictionNorms: norms,
                       kappa: zip(ht, norms).map { $0 / ($1 * $1) }, predictions: h)
    }

    /// `∂ℓ_b/∂u_b`, `(N, D)`.
    public static func gradient<Scalar: BLASScalar>(_ f: Forward<Scalar>, targets t: Tensor<Scalar>, W: Tensor<Scalar>) -> Tensor<Scalar> {
        // Wᵀt_b in row form is t W; WᵀW u_b is (W u_b) W.
        let wt = t.matmul(W), wtwu = f.predictions.matmul(W)
        let inv = f.predictionNorms.map { -1 / $0 }
        return (wt - wtwu.scalingRows(f.kappa)).scalingRows(inv)
    }
}
