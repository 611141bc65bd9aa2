import TensorCore

// Checks of derivations/unigrad.md: the UniGrad loss and gradient, and the moving-average
// correlation matrix F = Σ_v ρ_v v vᵀ. Shapes: u1, u2 (N, D); F (D, D); V (M, D) remembered vectors.

/// The checks of UniGrad.
enum UniGradChecks {
    static let lambda = 100.0
    static let rho = 0.99

    static var all: [DerivationCheck] { [gradient, unrolled, traceOne, positiveSemidefinite, surrogateValue] }

    static let gradient = DerivationCheck(
        id: "unigrad.gradient",
        claim: "∂/∂u1 of −u1·u2 + (λ/2) u1ᵀF u1 is −u2 + λ F u1 for symmetric F",
        reference: "C3"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let F = CheckKit.realisticF(d: d, batch: n, steps: 20, rho: rho, rng: &rng).F
        func loss(_ u: Tensor<Double>) -> Double {
            let pos = CheckKit.rowDots(u, pairs.u2), quad = CheckKit.rowDots(u, u.matmul(F))
            return (0..<n).reduce(0) { $0 - pos[$1] + lambda / 2 * quad[$1] }
        }
        return CheckKit.gradientCheck(analytic: -pairs.u2 + lambda * pairs.u1.matmul(F), of: loss, at: pairs.u1,
                                      note: "N=\(n) D=\(d) λ=\(lambda)")
    }

    static let unrolled = DerivationCheck(
        id: "unigrad.f-unrolled",
        claim: "F ← ρF + (1−ρ)F̂ (first step F = F̂) equals Σ_v ρ_v v vᵀ with ρ_v = (1−ρ)ρ^k/(2B) (first batch ρ^(T−1)/(2B)), Σ ρ_v = 1, and F u1 = Σ_v ρ_v (u1·v) v",
        reference: "C12"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (b, d, steps) = (32, 16, 50)
        let memory = CheckKit.realisticF(d: d, batch: b, steps: steps, rho: rho, rng: &rng)
        let u1 = CheckKit.unitRows(b, d, rng: &rng)
        let sumForm = memory.vectors.scalingRows(memory.weights).matmul(memory.vectors, transposeSelf: true)
        let fu = u1.matmul(memory.F)
        let coefficients = u1.matmul(memory.vectors, transposeOther: true).columnsScaled(by: memory.weights)
        return CheckResult.worst(of: [
            CheckKit.compare(memory.F, sumForm),
            CheckKit.compare(fu, coefficients.matmul(memory.vectors)),
            CheckKit.compare(memory.weights.reduce(0, +), 1),
        ], note: "B=\(b) D=\(d), \(steps) steps, ρ=\(rho)")
    }

    static let traceOne = DerivationCheck(
        id: "unigrad.f-trace-one",
        claim: "F is symmetric with tr F = 1 exactly for unit-norm targets",
        reference: "C12"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let memory = CheckKit.realisticF(d: 16, batch: 32, steps: 50, rho: rho, rng: &rng)
        return CheckResult.worst(of: [CheckKit.compare(memory.F.trace(), 1, tolerance: 1e-12),
                                      CheckKit.compare(memory.F, memory.F.transposed())],
                                 note: "B=32 D=16, 50 steps")
    }

    static let positiveSemidefinite = DerivationCheck(
        id: "unigrad.f-psd",
        claim: "F is positive semi-definite (smallest eigenvalue ≥ 0 up to rounding), so (λ/2) u1ᵀF u1 ≥ 0",
        reference: "C12"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let memory = CheckKit.realisticF(d: 64, batch: 8, steps: 3, rho: rho, rng: &rng)  // 48 vectors < D = 64: singular F
        let smallest = memory.F.symmetricEigen().values.min() ?? .nan
        return CheckResult(maxAbsoluteError: Swift.max(0, -smallest), maxRelativeError: Swift.max(0, -smallest),
                           tolerance: nil,
                           measurement: CheckMeasurement(name: "min eigenvalue", value: smallest, threshold: -1e-12),
                           note: "B=8 D=64, 3 steps: 48 vectors < D, so F is singular")
    }

    static let surrogateValue = DerivationCheck(
        id: "unigrad.surrogate-value",
        claim: "the logged surrogate ⟨sg(g), u1⟩ = −u1·u2 + λ u1ᵀF u1: twice the analytic loss's λ/2 term, same gradient",
        reference: "paper.md §4"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let F = CheckKit.realisticF(d: d, batch: n, steps: 20, rho: rho, rng: &rng).F
        let g = -pairs.u2 + lambda * pairs.u1.matmul(F)
        let surrogate = CheckKit.rowDots(g, pairs.u1)
        let pos = CheckKit.rowDots(pairs.u1, pairs.u2), quad = CheckKit.rowDots(pairs.u1, pairs.u1.matmul(F))
        let analyticLoss = (0..<n).map { -pos[$0] + lambda / 2 * quad[$0] }
        let claimed = (0..<n).map { analyticLoss[$0] + lambda / 2 * quad[$0] }
        return CheckKit.compare(Tensor(shape: [n], scalars: surrogate), Tensor(shape: [n], scalars: claimed),
                                note: "N=\(n) D=\(d) λ=\(lambda)")
    }
}
