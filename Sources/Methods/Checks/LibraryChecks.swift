import TensorCore

// Checks that run the library's methods (Sources/Methods, `MethodCatalog`) rather than formulas
// written here: each method's ∂L/∂z against central differences of its own loss (or surrogate),
// its unified decomposition against its exact gradient, and the paper's table of positives and λ.

/// Checks of the library implementation of every catalogue method.
enum LibraryChecks {
    static var all: [DerivationCheck] {
        MethodCatalog.names.map(gradientCheck) + MethodCatalog.names.map(decompositionCheck)
            + [positiveIsMinusTarget, balanceFactors]
    }

    /// A seeded feature-level batch with every optional input a method may read: raw `z1, z2`,
    /// raw momentum targets, a queue, a realistic `F` (before this batch) and a linear predictor.
    static func batch(seed: UInt64, n: Int = 16, d: Int = 8)
        -> (z1: Tensor<Double>, z2: Tensor<Double>, targets: MethodTargets<Double>, state: MethodState<Double>) {
        var rng = RandomGenerator(seed: seed)
        let pairs = CheckKit.positivePairs(n, d, rng: &rng)
        let momentum = CheckKit.positivePairs(n, d, rng: &rng)
        let queue = CheckKit.unitRows(32, d, rng: &rng)
        let F = CheckKit.realisticF(d: d, batch: n, steps: 10, rho: 0.99, rng: &rng).F
        let w = Tensor<Double>.identity(d) + Tensor<Double>.randomNormal([d, d], std: 0.3 / Double(d).squareRoot(), using: &rng)
        return (pairs.z1, pairs.z2, MethodTargets(z1t: momentum.z1, z2t: momentum.z2),
                MethodState(queue: queue, queueCapacity: 64, correlation: F, predictor: w, step: 10))
    }

    /// The method with its default parameters (the catalogue guarantees these names exist).
    static func method(_ name: String) -> (any SSLMethod<Double>)? {
        try? MethodCatalog.make(name, Double.self)
    }

    static func failed(_ note: String) -> CheckResult {
        CheckResult(maxAbsoluteError: .infinity, maxRelativeError: .infinity, tolerance: 0, note: note)
    }

    static func gradientCheck(_ name: String) -> DerivationCheck {
        DerivationCheck(
            id: "\(name).library-gradient",
            claim: "the library's \(name) ∂L/∂z1 and ∂L/∂z2 match central differences of its own loss (surrogate methods: of the surrogate with g held fixed)",
            reference: "library"
        ) { seed in
            guard let m = method(name) else { return failed("\(name) not in the catalogue") }
            let b = batch(seed: seed)
            let base = m.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: b.state, decompose: false)
            func value(_ z1: Tensor<Double>, _ z2: Tensor<Double>) -> Double {
                if let s = base.surrogate { return s.value(z1: z1, z2: z2) }
                return m.evaluate(z1: z1, z2: z2, targets: b.targets, state: b.state, decompose: false).loss
            }
            let kind = base.lossKind == .surrogate ? "surrogate" : "loss"
            return CheckResult.worst(of: [
                CheckKit.gradientCheck(analytic: base.gradZ1, of: { value($0, b.z2) }, at: b.z1),
                CheckKit.gradientCheck(analytic: base.gradZ2, of: { value(b.z1, $0) }, at: b.z2),
            ], note: "N=16 D=8, \(kind), targets/queue/F/W given")
        }
    }

    static func decompositionCheck(_ name: String) -> DerivationCheck {
        DerivationCheck(
            id: "\(name).library-decomposition",
            claim: "for \(name), positive + λ Σ_v s_v v + residual equals the exact ∂L/∂x of each view, and x's backward gives ∂L/∂z",
            reference: "unified form"
        ) { seed in
            guard let m = method(name) else { return failed("\(name) not in the catalogue") }
            let b = batch(seed: seed)
            let r = m.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: b.state, decompose: true)
            guard r.views.count == 2 else { return failed("\(r.views.count) views") }
            var parts: [CheckResult] = []
            for (view, z, gradZ) in [(r.views[0], b.z1, r.gradZ1), (r.views[1], b.z2, r.gradZ2)] {
                parts.append(CheckKit.compare(view.reconstruction(), view.gradient, tolerance: 1e-9))
                parts.append(CheckKit.compare(backward(view.variable, z: z, gradX: view.gradient), gradZ, tolerance: 1e-9))
            }
            let residual = r.views.map { $0.residual.maxAbs() / Swift.max($0.gradient.maxAbs(), 1e-300) }.max() ?? 0
            return CheckResult.worst(of: parts, note: "N=16 D=8; max |residual|/max |∂L/∂x| = \(formatCheckNumber(residual))")
        }
    }

    /// `∂L/∂z` from `∂L/∂x` for the decomposition's variable.
    static func backward(_ variable: DecompositionVariable, z: Tensor<Double>, gradX: Tensor<Double>) -> Tensor<Double> {
        switch variable {
        case .normalized:
            let (u, norms) = z.l2NormalizedRowsWithNorms()
            return Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: gradX)
        case .standardized:
            let (zTilde, sigma) = BatchStandardization.forward(z)
            return BatchStandardization.backward(zTilde: zTilde, sigma: sigma, gradZTilde: gradX)
        case .raw:
            return gradX
        }
    }

    /// The gradient forms the paper compares (Table 1 (a), (b), (e), (h), (j) and UniGrad).
    static let unifiedForms = ["moco", "simclr", "byol-grad", "barlow-l2", "vicreg-grad", "unigrad"]

    static let positiveIsMinusTarget = DerivationCheck(
        id: "unified.positive-is-minus-target",
        claim: "in the library's moco, simclr, byol-grad, barlow-l2, vicreg-grad and unigrad decompositions the positive term is −t⁺ (times the common scale)",
        reference: "unified form"
    ) { seed in
        let b = batch(seed: seed)
        let t1 = b.targets.z1t.map { $0.l2NormalizedRows() }, t2 = b.targets.z2t.map { $0.l2NormalizedRows() }
        guard let t1, let t2 else { return failed("no targets") }
        var parts: [CheckResult] = []
        for name in unifiedForms {
            guard let m = method(name) else { return failed("\(name) not in the catalogue") }
            let r = m.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: b.state, decompose: true)
            guard r.views.count == 2 else { return failed("\(name): \(r.views.count) views") }
            parts.append(CheckKit.compare(r.views[0].positive / r.views[0].scale, -t2))
            parts.append(CheckKit.compare(r.views[1].positive / r.views[1].scale, -t1))
        }
        return CheckResult.worst(of: parts, note: "N=16 D=8, \(unifiedForms.count) methods × 2 views")
    }

    static let balanceFactors = DerivationCheck(
        id: "unified.balance-factors",
        claim: "the library's λ in paper units: 1 for moco and simclr (after absorbing 1/τ), the hyper-parameter for barlow-l2 (50), vicreg-grad and unigrad (100)",
        reference: "paper.md §2.4"
    ) { seed in
        let b = batch(seed: seed)
        var parts: [CheckResult] = []
        for (name, expected) in [("moco", 1.0), ("simclr", 1.0), ("barlow-l2", 50), ("unigrad", 100),
                                 ("vicreg-grad", MethodCatalog.all.first { $0.name == "vicreg-grad" }?.parameter("lambda")?.defaultValue ?? .nan)] {
            guard let m = method(name) else { return failed("\(name) not in the catalogue") }
            let r = m.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: b.state, decompose: true)
            for view in r.views {
                parts.append(CheckKit.compare(Tensor(shape: [view.paperLambda.count], scalars: view.paperLambda),
                                              Tensor(repeating: expected, shape: [view.paperLambda.count])))
            }
        }
        return CheckResult.worst(of: parts, note: "N=16 D=8, default parameters")
    }
}
