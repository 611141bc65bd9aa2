import TensorCore

// Checks of derivations/asymmetric.md: BYOL/SimSiam with a linear predictor, DirectPred's
// closed-form predictor from F, the official byol_directpred_grad code and the W_p → I step.
// Shapes: u1, u2 (N, D) unit rows; W, W_p, F (D, D); rows act as u W (row form = (W u)ᵀ for symmetric W).

/// The checks of the asymmetric family.
enum AsymmetricChecks {
    static let eps = 0.3
    static let rho = 0.99

    static var all: [DerivationCheck] {
        [linearPredictor, sqrtFPredictor, codeWithExactSquare, codeApproximation, identityPositive,
         negativeFromMemory, perSampleScale]
    }

    /// `Σ_b −cos(W u1_b, u2_b)` for free rows `u1` (row form `u1 Wᵀ`).
    static func predictorLoss(_ u1: Tensor<Double>, _ u2: Tensor<Double>, _ w: Tensor<Double>) -> Double {
        let p = u1.matmul(w, transposeOther: true)
        let dots = CheckKit.rowDots(p, u2), pn = p.rowNorms(), tn = u2.rowNorms()
        return (0..<u1.rows).reduce(0) { $0 - dots[$1] / (pn[$1] * tn[$1]) }
    }

    /// DirectPred's predictor (the library's `DirectPredPredictor`, official code): `F = U S Uᵀ`, `s_max = max S`,
    /// `W_p = U diag(max(√(S/s_max) + ε, 1e−4)) Uᵀ`; also `F' = F/s_max + ε² I`.
    static func directPred(_ F: Tensor<Double>, eps: Double) -> (wp: Tensor<Double>, fPrime: Tensor<Double>, sMax: Double) {
        let (wp, sMax) = DirectPredPredictor.predictor(F: F, eps: eps)   // the library's W_p
        let fPrime = F / sMax + eps * eps * Tensor<Double>.identity(F.rows)
        return (wp, fPrime, sMax)
    }

    /// The official code's gradient: `g1 = (1/‖u1 W_p‖)(−u2 W_p + λ_b u1 M)`, `λ_b = (u1 W_p)·u2 / (u1 M u1ᵀ)`,
    /// with `M = F'` in the code (pass `W_p²` to get the exact gradient). `positiveMatrix` replaces the
    /// `W_p` of the positive term (the identity gives Table 1(e)).
    static func codeGradient(_ u1: Tensor<Double>, _ u2: Tensor<Double>, wp: Tensor<Double>, m: Tensor<Double>,
                             positiveMatrix: Tensor<Double>? = nil) -> (g: Tensor<Double>, lambdas: [Double]) {
        let p = u1.matmul(wp)
        let mu = u1.matmul(m)
        let lambdas = zip(CheckKit.rowDots(p, u2), CheckKit.rowDots(u1, mu)).map { $0 / $1 }
        let positive = positiveMatrix.map { u2.matmul($0) } ?? u2.matmul(wp)
        let g = (-positive + mu.scalingRows(lambdas)).scalingRows(p.rowNorms().map { 1 / $0 })
        return (g, lambdas)
    }

    /// A realistic setting: positive pairs and a moving-average F from 30 past batches (D = 64).
    static func setting(seed: UInt64, n: Int = 64, d: Int = 64)
        -> (u1: Tensor<Double>, u2: Tensor<Double>, F: Tensor<Double>, vectors: Tensor<Double>, weights: [Double]) {
        var rng = RandomGenerator(seed: seed)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let memory = CheckKit.realisticF(d: d, batch: n, steps: 30, rho: rho, rng: &rng)
        return (pairs.u1, pairs.u2, memory.F, memory.vectors, memory.weights)
    }

    static let linearPredictor = DerivationCheck(
        id: "predictor.linear-gradient",
        claim: "∂/∂u1 of −cos(W u1, u2), ‖u2‖ = 1, is −(1/‖W u1‖)(Wᵀu2 − λ WᵀW u1) with λ = u1ᵀWᵀu2/‖W u1‖² (general W)",
        reference: "C7"
    ) { seed in
        var rng = RandomGenerator(seed: seed)
        let (n, d) = (32, 16)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let w = Tensor<Double>.identity(d) + Tensor<Double>.randomNormal([d, d], std: 0.5 / Double(d).squareRoot(), using: &rng)
        let wu = pairs.u1.matmul(w, transposeOther: true)                  // rows W u1
        let norms = wu.rowNorms()
        let lambdas = (0..<n).map { CheckKit.rowDots(wu, pairs.u2)[$0] / (norms[$0] * norms[$0]) }
        let wtu2 = pairs.u2.matmul(w)                                      // rows Wᵀ u2
        let wtwu = wu.matmul(w)                                            // rows WᵀW u1
        let analytic = -(wtu2 - wtwu.scalingRows(lambdas)).scalingRows(norms.map { 1 / $0 })
        return CheckKit.gradientCheck(analytic: analytic, of: { predictorLoss($0, pairs.u2, w) }, at: pairs.u1,
                                      note: "N=\(n) D=\(d), non-symmetric W")
    }

    static let sqrtFPredictor = DerivationCheck(
        id: "directpred.sqrt-f-gradient",
        claim: "with W = F^½ (symmetric), the gradient is −(1/‖W u1‖)(W u2 − λ F u1) and F u1 = Σ_v ρ_v (u1·v) v over all past targets",
        reference: "C7, C12"
    ) { seed in
        let s = setting(seed: seed, n: 32, d: 16)
        let w = CheckKit.symmetricPower(s.F, 0.5)
        let wu = s.u1.matmul(w), norms = wu.rowNorms()
        let lambdas = (0..<s.u1.rows).map { CheckKit.rowDots(wu, s.u2)[$0] / (norms[$0] * norms[$0]) }
        // F u1 written as a sum over the remembered vectors: (u1 Vᵀ ⊙ ρ) V
        let coefficients = s.u1.matmul(s.vectors, transposeOther: true).columnsScaled(by: s.weights)
        let fu = coefficients.matmul(s.vectors)
        let analytic = -(s.u2.matmul(w) - fu.scalingRows(lambdas)).scalingRows(norms.map { 1 / $0 })
        return CheckKit.gradientCheck(analytic: analytic, of: { predictorLoss($0, s.u2, w) }, at: s.u1,
                                      note: "N=32 D=16, F from 30 batches, ρ=\(rho)")
    }

    static let codeWithExactSquare = DerivationCheck(
        id: "directpred.code-exact-with-wp-squared",
        claim: "the official byol_directpred_grad formula with F' replaced by W_p² is exactly ∂/∂u1 of −cos(W_p u1, u2)",
        reference: "C8"
    ) { seed in
        let s = setting(seed: seed, n: 32, d: 16)
        let (wp, _, _) = directPred(s.F, eps: eps)
        let analytic = codeGradient(s.u1, s.u2, wp: wp, m: wp.matmul(wp)).g
        return CheckKit.gradientCheck(analytic: analytic, of: { predictorLoss($0, s.u2, wp) }, at: s.u1,
                                      note: "N=32 D=16, ε=\(eps)")
    }

    static let codeApproximation = DerivationCheck(
        id: "directpred.code-approximation",
        claim: "the official code's F' = F/s_max + ε²I instead of W_p² (drops 2ε(F/s_max)^½) keeps the tangent direction of the exact gradient (mean cosine)",
        reference: "C8, Table 1(d)"
    ) { seed in
        let s = setting(seed: seed)
        let (wp, fPrime, _) = directPred(s.F, eps: eps)
        let exact = codeGradient(s.u1, s.u2, wp: wp, m: wp.matmul(wp)).g
        let code = codeGradient(s.u1, s.u2, wp: wp, m: fPrime).g
        return CheckKit.approximation(exact: exact, approx: code, projectingAt: s.u1, statistic: .mean, threshold: 0.98,
                                      note: "N=64 D=64, F from 30 realistic batches, ε=\(eps)")
    }

    static let identityPositive = DerivationCheck(
        id: "byol-grad.identity-positive",
        claim: "replacing W_p by I in the positive term (−u2 W_p → −u2) keeps most of the tangent direction of the DirectPred gradient (mean cosine)",
        reference: "Table 1(e)"
    ) { seed in
        let s = setting(seed: seed)
        let (wp, fPrime, _) = directPred(s.F, eps: eps)
        let d = codeGradient(s.u1, s.u2, wp: wp, m: fPrime).g
        let e = codeGradient(s.u1, s.u2, wp: wp, m: fPrime, positiveMatrix: Tensor<Double>.identity(s.F.rows)).g
        return CheckKit.approximation(exact: d, approx: e, projectingAt: s.u1, statistic: .mean, threshold: 0.95,
                                      note: "N=64 D=64, ε=\(eps)")
    }

    static let negativeFromMemory = DerivationCheck(
        id: "byol-grad.negative-from-memory",
        claim: "after the tangent projection, λ_b F' u1 = (λ_b/s_max) Σ_v ρ_v (u1·v) v: the ε² u1 part vanishes and the negatives are all past targets",
        reference: "C5, C12, Table 1(e)"
    ) { seed in
        let s = setting(seed: seed)
        let (wp, fPrime, sMax) = directPred(s.F, eps: eps)
        let lambdas = codeGradient(s.u1, s.u2, wp: wp, m: fPrime).lambdas
        let code = s.u1.matmul(fPrime).scalingRows(lambdas)
        let coefficients = s.u1.matmul(s.vectors, transposeOther: true).columnsScaled(by: s.weights)
        let unified = coefficients.matmul(s.vectors).scalingRows(lambdas.map { $0 / sMax })
        return CheckKit.compare(CheckKit.projectTangent(code, onto: s.u1), CheckKit.projectTangent(unified, onto: s.u1),
                                tolerance: 1e-9, note: "N=64 D=64, \(s.vectors.rows) remembered vectors")
    }

    static let perSampleScale = DerivationCheck(
        id: "byol-grad.per-sample-scale",
        claim: "dropping 1/‖W_p u1‖ rescales each sample's gradient by a factor that varies little over the batch (max/min ratio)",
        reference: "simplification 3"
    ) { seed in
        let s = setting(seed: seed)
        let (wp, _, _) = directPred(s.F, eps: eps)
        let norms = s.u1.matmul(wp).rowNorms()
        let ratio = (norms.max() ?? 1) / (norms.min() ?? 1)
        return CheckResult(maxAbsoluteError: (norms.max() ?? 0) - (norms.min() ?? 0), maxRelativeError: 1 - 1 / ratio,
                           tolerance: nil,
                           measurement: CheckMeasurement(name: "max/min ‖W_p u1‖", value: ratio, threshold: 1.5, relation: .atMost),
                           note: "N=64 D=64, ε=\(eps); errors: spread of ‖W_p u1‖")
    }
}
