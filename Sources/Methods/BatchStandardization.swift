import TensorCore

/// Per-dimension batch standardisation without affine parameters (BatchNorm1d in training mode,
/// as Barlow Twins applies it to the projector output before the cross-correlation):
///
///     z̃_bj = (z_bj − μ_j) / σ_j,   μ_j = 1/N Σ_b z_bj,   σ_j = √(1/N Σ_b (z_bj − μ_j)² + ε),  ε = 1e−5
///
/// Reference: Zbontar et al., "Barlow Twins", ICML 2021; Ioffe & Szegedy 2015 (backward).
public enum BatchStandardization {
    /// The variance epsilon of `torch.nn.BatchNorm1d`.
    public static let epsilon = 1e-5

    /// `z: (N, D) → z̃: (N, D)` and the per-dimension `σ` (cached for the backward pass).
    public static func forward<Scalar: BLASScalar>(_ z: Tensor<Scalar>) -> (zTilde: Tensor<Scalar>, sigma: [Scalar]) {
        let n = z.rows, d = z.columns
        precondition(n >= 1, "BatchStandardization needs at least one row, got \(z.shape)")
        var mean = [Scalar](repeating: 0, count: d), variance = [Scalar](repeating: 0, count: d)
        for b in 0..<n { for j in 0..<d { mean[j] += z.scalars[b * d + j] } }
        for j in 0..<d { mean[j] /= Scalar(n) }
        for b in 0..<n { for j in 0..<d { let x = z.scalars[b * d + j] - mean[j]; variance[j] += x * x } }
        let sigma = variance.map { ($0 / Scalar(n) + Scalar(epsilon)).squareRoot() }
        var out = z.scalars
        for b in 0..<n { for j in 0..<d { out[b * d + j] = (out[b * d + j] - mean[j]) / sigma[j] } }
        return (Tensor(shape: [n, d], scalars: out), sigma)
    }

    /// `∂L/∂z = (1/σ)(∂L/∂z̃ − mean_b ∂L/∂z̃ − z̃ · mean_b(∂L/∂z̃ ⊙ z̃))` per dimension (exact,
    /// including ε).
    public static func backward<Scalar: BLASScalar>(zTilde: Tensor<Scalar>, sigma: [Scalar], gradZTilde g: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(zTilde.shape == g.shape && sigma.count == g.columns,
                     "BatchStandardization.backward: z̃ \(zTilde.shape), grad \(g.shape), σ \(sigma.count)")
        let n = g.rows, d = g.columns
        var sumG = [Scalar](repeating: 0, count: d), sumGX = [Scalar](repeating: 0, count: d)
        for b in 0..<n {
            for j in 0..<d {
                let gi = g.scalars[b * d + j]
                sumG[j] += gi
                sumGX[j] += gi * zTilde.scalars[b * d + j]
            }
        }
        var out = g.scalars
        let inv = 1 / Scalar(n)
        for b in 0..<n {
            for j in 0..<d {
                out[b * d + j] = (out[b * d + j] - sumG[j] * inv - zTilde.scalars[b * d + j] * sumGX[j] * inv) / sigma[j]
            }
        }
        return Tensor(shape: [n, d], scalars: out)
    }
}
