import TensorCore

// Checks of derivations/unified-form.md: the ℓ2-normalisation Jacobian, the surrogate-loss trick
// of the official code, and symmetrisation. Shapes: z (N, D) raw, u = z/‖z‖, g (N, D) constants.

/// The checks shared by every family.
enum NormalizationChecks {
    static var all: [DerivationCheck] { [jacobian, parallelVanishes, surrogateGradient, cosForm, symmetrisation] }

    static let jacobian = DerivationCheck(
        id: "normalize.jacobian",
        claim: "for u = z/‖z‖, the gradient of ⟨G, u⟩ in z is (I − u uᵀ) G / ‖z‖ row by row (TensorCore's l2NormalizeBackward)",
        reference: "C4/C5"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let z = Tensor<Double>.randomNormal([n, d], std: 2, using: &rng)
        let upstream = Tensor<Double>.randomNormal([n, d], using: &rng)
        let (u, norms) = z.l2NormalizedRowsWithNorms()
        let analytic = Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: upstream)
        return CheckKit.gradientCheck(analytic: analytic, of: { $0.l2NormalizedRows().dot(upstream) }, at: z,
                                      note: "N=\(n) D=\(d)")
    }

    static let parallelVanishes = DerivationCheck(
        id: "normalize.parallel-component-vanishes",
        claim: "terms of ∂L/∂u parallel to u (VICReg's (2/N)u1, DirectPred's λ ε² u1, Barlow's self-term u1/N) do not change ∂L/∂z",
        reference: "C5"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let (u1, norms) = pairs.z1.l2NormalizedRowsWithNorms()
        let g = Tensor<Double>.randomNormal([n, d], using: &rng)
        let base = Tensor.l2NormalizeBackward(u: u1, norms: norms, gradU: g)
        let lambdas = (0..<n).map { _ in rng.uniform(0.5, 2) }
        let parallelTerms: [Tensor<Double>] = [
            (2 / Double(n)) * u1,                               // VICReg invariance: (2/N)(u1 − u2) ∋ +(2/N) u1
            u1.scalingRows(lambdas.map { $0 * 0.3 * 0.3 }),     // DirectPred: λ_b ε² u1 with ε = 0.3
            u1 / Double(n),                                     // Barlow: (u2·u2/N) u1 with ‖u2‖ = 1
        ]
        return CheckResult.worst(of: parallelTerms.map { term in
            CheckKit.compare(Tensor.l2NormalizeBackward(u: u1, norms: norms, gradU: g + term), base)
        }, note: "N=\(n) D=\(d), 3 parallel terms")
    }

    static let surrogateGradient = DerivationCheck(
        id: "surrogate.gradient",
        claim: "the code's surrogate ½(1/B Σ⟨sg(g1_b), u1_b⟩ + 1/B Σ⟨sg(g2_b), u2_b⟩) has ∂/∂z1_b = (I − u uᵀ) g1_b / (2B‖z1_b‖)",
        reference: "C4"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (b, d) = (32, 16)
        let pairs = CheckKit.positivePairs(b, d, rng: &rng)
        let g1 = Tensor<Double>.randomNormal([b, d], using: &rng)
        let g2 = Tensor<Double>.randomNormal([b, d], using: &rng)
        func surrogate(_ z1: Tensor<Double>) -> Double {
            0.5 * (g1.dot(z1.l2NormalizedRows()) / Double(b) + g2.dot(pairs.u2) / Double(b))
        }
        let norms = pairs.z1.rowNorms()
        let analytic = CheckKit.projectTangent(g1, onto: pairs.u1).scalingRows(norms.map { 1 / (2 * Double(b) * $0) })
        return CheckKit.gradientCheck(analytic: analytic, of: surrogate, at: pairs.z1, note: "B=\(b) D=\(d)")
    }

    static let cosForm = DerivationCheck(
        id: "surrogate.cos-form",
        claim: "the z-gradient of −cos(z, u2) + (λ/2) ẑᵀF ẑ equals that of the surrogate ⟨sg(−u2 + λ F u), u⟩: (I − u uᵀ)(−u2 + λ F u)/‖z‖",
        reference: "C6"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda) = (32, 16, 100.0)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let F = CheckKit.realisticF(d: d, batch: 32, steps: 20, rho: 0.99, rng: &rng).F
        func loss(_ z: Tensor<Double>) -> Double {
            let u = z.l2NormalizedRows()
            let quad = CheckKit.rowDots(u, u.matmul(F))
            return (0..<n).reduce(0) { $0 - CheckKit.rowDots(u, pairs.u2)[$1] + lambda / 2 * quad[$1] }
        }
        let (u, norms) = pairs.z1.l2NormalizedRowsWithNorms()
        let g = -pairs.u2 + lambda * u.matmul(F)
        // the surrogate Σ_b ⟨sg(g_b), u_b⟩ differentiated through the normalisation
        let analytic = Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: g)
        return CheckKit.gradientCheck(analytic: analytic, of: loss, at: pairs.z1, note: "N=\(n) D=\(d) λ=\(lambda)")
    }

    static let symmetrisation = DerivationCheck(
        id: "symmetrisation.half-gradient",
        claim: "with stop-gradient targets, L = ½(ℓ(u1→t2) + ℓ(u2→t1)) has ∂L/∂z1 = ½ ∂ℓ(u1→t2)/∂z1: the other half is constant in z1",
        reference: "paper §1"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda) = (32, 16, 100.0)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let targets = CheckKit.positivePairs(n, d, rng: &rng)
        let F = CheckKit.realisticF(d: d, batch: 32, steps: 20, rho: 0.99, rng: &rng).F
        func half(_ u: Tensor<Double>, _ t: Tensor<Double>) -> Double {
            let quad = CheckKit.rowDots(u, u.matmul(F)), pos = CheckKit.rowDots(u, t)
            return (0..<n).reduce(0) { $0 - pos[$1] + lambda / 2 * quad[$1] } / Double(n)
        }
        func loss(_ z1: Tensor<Double>) -> Double {
            0.5 * (half(z1.l2NormalizedRows(), targets.u2) + half(pairs.u2, targets.u1))
        }
        let (u1, norms) = pairs.z1.l2NormalizedRowsWithNorms()
        let gU = 0.5 * (-targets.u2 + lambda * u1.matmul(F)) / Double(n)
        return CheckKit.gradientCheck(analytic: Tensor.l2NormalizeBackward(u: u1, norms: norms, gradU: gU),
                                      of: loss, at: pairs.z1, note: "N=\(n) D=\(d) λ=\(lambda), UniGrad loss")
    }
}
