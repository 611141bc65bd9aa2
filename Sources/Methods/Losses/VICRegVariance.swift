import TensorCore

/// VICReg's variance (hinge) term for one branch, with weight `w`:
///
///     ℓ_var = w · 1/D Σ_j relu(1 − σ_j),    σ_j = √(Var_j + 1e−4),  Var unbiased (1/(N−1))
///     ∂ℓ_var/∂z_bj = −w/D · (z_bj − μ_j) / ((N−1) σ_j)   where σ_j < 1, else 0
///
/// Reference: Bardes, Ponce & LeCun, VICReg, ICLR 2022 (γ = 1, ε = 1e−4, w = 25).
public enum VICRegVariance {
    /// The ε inside the square root.
    public static let epsilon = 1e-4

    static func stats<Scalar: BLASScalar>(_ z: Tensor<Scalar>) -> (centered: Tensor<Scalar>, sigma: [Scalar]) {
        precondition(z.rows >= 2, "VICReg variance needs N ≥ 2, got \(z.shape)")
        let xc = z.addingRowVector(-z.meanRows())
        let d = z.columns
        var v = [Scalar](repeating: 0, count: d)
        for b in 0..<z.rows { for j in 0..<d { v[j] += xc.scalars[b * d + j] * xc.scalars[b * d + j] } }
        return (xc, v.map { ($0 / Scalar(z.rows - 1) + Scalar(epsilon)).squareRoot() })
    }

    /// `w · mean_j relu(1 − σ_j)`.
    public static func value<Scalar: BLASScalar>(z: Tensor<Scalar>, weight: Scalar) -> Scalar {
        let sigma = stats(z).sigma
        return weight * sigma.reduce(0) { $0 + Swift.max(0, 1 - $1) } / Scalar(z.columns)
    }

    /// `∂ℓ_var/∂z`, `(N, D)`.
    public static func gradient<Scalar: BLASScalar>(z: Tensor<Scalar>, weight: Scalar) -> Tensor<Scalar> {
        let (xc, sigma) = stats(z)
        let n = z.rows, d = z.columns
        var g = Tensor<Scalar>.zeros([n, d])
        for j in 0..<d where sigma[j] < 1 {
            let c = -weight / (Scalar(d) * Scalar(n - 1) * sigma[j])
            for b in 0..<n { g.scalars[b * d + j] = c * xc.scalars[b * d + j] }
        }
        return g
    }
}
