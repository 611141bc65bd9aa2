import TensorCore

// Checks of derivations/decorrelation.md: Barlow Twins on ℓ2 and on batch-standardised features,
// the official barlow_twins_grad_mm identity, and VICReg with and without its variance term.
// Shapes: u1, u2 (N, D); C, Cov (D, D). Row form: the column vector C u2_b is the row u2_b Cᵀ.

/// The checks of the feature-decorrelation family.
enum DecorrelationChecks {
    static var all: [DerivationCheck] {
        [barlowGradient, barlowIdentity, barlowDropDiagonal, barlowIdentityPositiveBN,
         vicregGradient, vicregVarianceGradient, vicregDropVariance, vicregVarianceAsMeanRepulsion,
         vicregNegativeAsCorrelation]
    }

    // MARK: Barlow Twins

    /// `Σ_i (C_ii − 1)² + λ Σ_{i≠j} C_ij²` with `C = u1ᵀu2/N`.
    static func barlowLoss(_ u1: Tensor<Double>, _ u2: Tensor<Double>, lambda: Double) -> Double {
        let c = u1.matmul(u2, transposeSelf: true) / Double(u1.rows)
        var loss = 0.0
        for i in 0..<c.rows { for j in 0..<c.columns {
            loss += i == j ? (c[i, j] - 1) * (c[i, j] - 1) : lambda * c[i, j] * c[i, j]
        } }
        return loss
    }

    /// The exact gradient (C9) and the code's form without the diagonal term, row form.
    static func barlowGradients(_ u1: Tensor<Double>, _ u2: Tensor<Double>, lambda: Double)
        -> (exact: Tensor<Double>, withoutDiagonal: Tensor<Double>) {
        let n = Double(u1.rows)
        let c = u1.matmul(u2, transposeSelf: true) / n
        let negative = u2.matmul(c, transposeOther: true)                 // rows (C u2_b)ᵀ
        let diagonal = u2.columnsScaled(by: c.diagonal())                    // rows (diag(C) u2_b)ᵀ
        let simplified = (2 / n) * (-u2 + lambda * negative)
        return (simplified + (2 / n) * (1 - lambda) * diagonal, simplified)
    }

    static let barlowGradient = DerivationCheck(
        id: "barlow.l2-gradient",
        claim: "Barlow Twins with C = (1/N)Σ_b u1_b u2_bᵀ: ∂L/∂u1_b = (2/N)[−u2_b + λ C u2_b + (1−λ) diag(C) u2_b]",
        reference: "C9"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda) = (32, 16, 0.3)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        return CheckKit.gradientCheck(analytic: barlowGradients(pairs.u1, pairs.u2, lambda: lambda).exact,
                                      of: { barlowLoss($0, pairs.u2, lambda: lambda) }, at: pairs.u1,
                                      note: "N=\(n) D=\(d) λ=\(lambda)")
    }

    static let barlowIdentity = DerivationCheck(
        id: "barlow.cross-correlation-identity",
        claim: "the code's (u2 K2ᵀ) K1/N equals C u2 = Σ_v (u2·v2/N) v1 with C = (1/N)Σ_v v1 v2ᵀ",
        reference: "C10"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let online = CheckKit.positivePairs(n, d, rng: &rng)   // K1 = online view-1 bank (detached)
        let momentum = CheckKit.positivePairs(n, d, rng: &rng) // K2 = momentum view-2 bank; u2 = its rows
        let (k1, k2, u2) = (online.u1, momentum.u2, momentum.u2)
        let code = u2.matmul(k2, transposeOther: true).matmul(k1) / Double(n)
        let c = k1.matmul(k2, transposeSelf: true) / Double(n)
        let matrixForm = u2.matmul(c, transposeOther: true)
        var sumForm = Tensor<Double>.zeros([n, d])
        for b in 0..<n { for v in 0..<n {
            let s = (0..<d).reduce(0) { $0 + u2[b, $1] * k2[v, $1] } / Double(n)
            for j in 0..<d { sumForm[b, j] += s * k1[v, j] }
        } }
        return CheckResult.worst(of: [CheckKit.compare(code, matrixForm), CheckKit.compare(code, sumForm)],
                                 note: "N=\(n) D=\(d)")
    }

    static let barlowDropDiagonal = DerivationCheck(
        id: "barlow.drop-diagonal",
        claim: "on ℓ2 features, dropping (1−λ) diag(C) u2 (C_ii = O(1/D)) keeps the tangent direction of the exact Barlow gradient (min cosine)",
        reference: "Table 1(h), simplification 2"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda) = (128, 512, 50.0)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let g = barlowGradients(pairs.u1, pairs.u2, lambda: lambda)
        return CheckKit.approximation(exact: g.exact, approx: g.withoutDiagonal, projectingAt: pairs.u1, statistic: .min,
                                      threshold: 0.99, note: "N=\(n) D=\(d) λ=\(lambda) (barlow_twins_grad_mm)")
    }

    /// Per-dimension batch standardisation with biased variance and eps 1e−5 (original Barlow Twins).
    static func standardised(_ z: Tensor<Double>) -> Tensor<Double> {
        let n = Double(z.rows)
        let mean = z.meanRows()
        let centred = z.addingRowVector(-mean)
        let std = centred.squared().sumRows().scalars.map { ($0 / n + 1e-5).squareRoot() }
        return centred.columnsScaled(by: std.map { 1 / $0 })
    }

    static let barlowIdentityPositiveBN = DerivationCheck(
        id: "barlow.identity-positive-bn",
        claim: "on batch-standardised features, replacing A = I − (1−λ)diag(C) by I in the positive term −A z̃2 keeps the gradient direction (mean cosine)",
        reference: "Table 1(g)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda) = (256, 128, 0.0051)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let g = barlowGradients(standardised(pairs.z1), standardised(pairs.z2), lambda: lambda)
        return CheckKit.approximation(exact: g.exact, approx: g.withoutDiagonal, projectingAt: nil, statistic: .mean,
                                      threshold: 0.9, note: "N=\(n) D=\(d) λ=\(lambda), compared before the BN Jacobian")
    }

    // MARK: VICReg

    /// The unbiased covariance `(1/(N−1)) Σ_b (u_b − ū)(u_b − ū)ᵀ` and the centred rows.
    static func covariance(_ u: Tensor<Double>) -> (cov: Tensor<Double>, centred: Tensor<Double>) {
        let centred = u.addingRowVector(-u.meanRows())
        return (centred.matmul(centred, transposeSelf: true) / Double(u.rows - 1), centred)
    }

    /// `(1/N)Σ‖u1−u2‖² + (λ1/c)Σ_{i≠j}Cov_ij² + (λ2/c)Σ_i max(0, γ − √(Var_i + 1e−4))` (paper.md §2.3 form).
    static func vicregLoss(_ u1: Tensor<Double>, _ u2: Tensor<Double>, lambda1: Double, lambda2: Double, gamma: Double = 1) -> Double {
        let n = Double(u1.rows), c = Double(u1.columns)
        let invariance = (u1 - u2).squaredNorm() / n
        let cov = covariance(u1).cov
        var offDiagonal = 0.0, hinge = 0.0
        for i in 0..<cov.rows {
            for j in 0..<cov.columns where i != j { offDiagonal += cov[i, j] * cov[i, j] }
            hinge += Swift.max(0, gamma - (cov[i, i] + 1e-4).squareRoot())
        }
        return invariance + lambda1 / c * offDiagonal + (lambda2 == 0 ? 0 : lambda2 / c * hinge)
    }

    /// The three gradient terms of the derivation (C11 and the variance term), row form.
    static func vicregGradientTerms(_ u1: Tensor<Double>, _ u2: Tensor<Double>, lambda1: Double, lambda2: Double, gamma: Double = 1)
        -> (invariance: Tensor<Double>, covariance: Tensor<Double>, variance: Tensor<Double>) {
        let n = Double(u1.rows), c = Double(u1.columns)
        let (cov, centred) = covariance(u1)
        var offDiagonal = cov
        for i in 0..<cov.rows { offDiagonal[i, i] = 0 }
        let invariance = (2 / n) * (u1 - u2)
        let covarianceTerm = 4 * lambda1 / (c * (n - 1)) * centred.matmul(offDiagonal)
        let std = cov.diagonal().map { ($0 + 1e-4).squareRoot() }
        let factors = std.map { $0 < gamma ? -lambda2 / (c * (n - 1) * $0) : 0 }
        return (invariance, covarianceTerm, centred.columnsScaled(by: factors))
    }

    static let vicregGradient = DerivationCheck(
        id: "vicreg.gradient-no-variance",
        claim: "invariance + covariance: ∂L/∂u1_b = (2/N)(u1_b − u2_b) + (4λ1/(c(N−1))) offdiag(Cov)(u1_b − ū1)",
        reference: "C11"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda1) = (32, 16, 2.0)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let t = vicregGradientTerms(pairs.u1, pairs.u2, lambda1: lambda1, lambda2: 0)
        return CheckKit.gradientCheck(analytic: t.invariance + t.covariance,
                                      of: { vicregLoss($0, pairs.u2, lambda1: lambda1, lambda2: 0) }, at: pairs.u1,
                                      note: "N=\(n) D=\(d) λ1=\(lambda1)")
    }

    static let vicregVarianceGradient = DerivationCheck(
        id: "vicreg.variance-gradient",
        claim: "the variance hinge (λ2/c)Σ_i max(0, γ − std_i) adds −(λ2/(c(N−1))) (u1_b,i − ū_i)/std_i on every active dimension",
        reference: "Table 1(i)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d, lambda1, lambda2) = (32, 16, 2.0, 16.0)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let t = vicregGradientTerms(pairs.u1, pairs.u2, lambda1: lambda1, lambda2: lambda2)
        return CheckKit.gradientCheck(analytic: t.invariance + t.covariance + t.variance,
                                      of: { vicregLoss($0, pairs.u2, lambda1: lambda1, lambda2: lambda2) }, at: pairs.u1,
                                      note: "N=\(n) D=\(d) λ1=\(lambda1) λ2=\(lambda2) γ=1")
    }

    /// Official VICReg weights (25, 25, 1) in the paper's form: λ1 = c/25, λ2 = c.
    static let vicregDropVariance = DerivationCheck(
        id: "vicreg.drop-variance",
        claim: "on ℓ2 features with the official weights the variance hinge is NOT negligible: dropping it turns the tangent gradient (mean cosine ≤ 0.9), so Table 1(j) is a real change",
        reference: "Table 1(j)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (256, 128)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let t = vicregGradientTerms(pairs.u1, pairs.u2, lambda1: Double(d) / 25, lambda2: Double(d))
        return CheckKit.approximation(exact: t.invariance + t.covariance + t.variance, approx: t.invariance + t.covariance,
                                      projectingAt: pairs.u1, statistic: .mean, threshold: 0.9, relation: .atMost,
                                      note: "N=\(n) D=\(d), weights 25/25/1")
    }

    static let vicregNegativeAsCorrelation = DerivationCheck(
        id: "vicreg.negative-as-batch-correlation",
        claim: "ignoring centring and the diagonal, VICReg's covariance gradient ∝ Σ_v (u1·v1/N) v1 (same-branch batch negatives): tangent mean cosine",
        reference: "paper.md §2.3"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (256, 128)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let exact = vicregGradientTerms(pairs.u1, pairs.u2, lambda1: 1, lambda2: 0).covariance
        let simplified = pairs.u1.matmul(pairs.u1.matmul(pairs.u1, transposeSelf: true)) / Double(n)
        return CheckKit.approximation(exact: exact, approx: simplified, projectingAt: pairs.u1, statistic: .mean,
                                      threshold: 0.5, note: "N=\(n) D=\(d)")
    }
}

extension DecorrelationChecks {
    static let vicregVarianceAsMeanRepulsion = DerivationCheck(
        id: "vicreg.variance-as-mean-repulsion",
        claim: "the variance-hinge gradient, after the tangent projection, points along +ū1: a negative gradient λ Σ_v (1/N) v1 with uniform weights (mean cosine)",
        reference: "Table 1(i)/(j)"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (256, 128)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let variance = vicregGradientTerms(pairs.u1, pairs.u2, lambda1: Double(d) / 25, lambda2: Double(d)).variance
        let mean = pairs.u1.meanRows()
        let batchMean = Tensor<Double>.zeros([n, d]).addingRowVector(mean)   // Σ_v (1/N) v1 for every sample
        return CheckKit.approximation(exact: variance, approx: batchMean, projectingAt: pairs.u1, statistic: .mean,
                                      threshold: 0.8, note: "N=\(n) D=\(d)")
    }
}
