import GradCheck
import Methods
import TensorCore
import Testing

/// Finite-difference checks of every analytic loss (Double, five-point differences).
@Suite struct AnalyticGradientTests {
    static let analytic = MethodCatalog.all.filter { $0.lossKind == .loss }.map(\.name)

    func check(_ name: String, n: Int, d: Int, sample: Int?, state: MethodState<Double>, seed: UInt64, step: Double, directions: Int = 0) throws {
        let method = try MethodCatalog.make(name, Double.self)
        let b = RandomBatch(n: n, d: d, seed: seed)
        let r = method.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: state, decompose: false)
        let r1 = checkGradient(r.gradZ1, of: { method.evaluate(z1: $0, z2: b.z2, targets: b.targets, state: state, decompose: false).loss },
                               at: b.z1, sample: sample, step: step, seed: seed)
        let r2 = checkGradient(r.gradZ2, of: { method.evaluate(z1: b.z1, z2: $0, targets: b.targets, state: state, decompose: false).loss },
                               at: b.z2, sample: sample, step: step, seed: seed + 1)
        #expect(r1.maxRelativeError <= 1e-7, "\(name) N=\(n) D=\(d) grad_z1: \(r1)")
        #expect(r2.maxRelativeError <= 1e-7, "\(name) N=\(n) D=\(d) grad_z2: \(r2)")
        #expect(r1.checkedCount == (sample ?? n * d))
        if directions > 0 {
            // Directional derivatives <grad, v> vs d/ds L(z + s v) along v = (ĝ + random unit)/‖·‖: a
            // direction with a large derivative (≈ ‖g‖/√2), so rounding of L matters less than per coordinate.
            var rng = RandomGenerator(seed: seed &+ 99)
            for k in 0..<directions {
                let random = Tensor<Double>.randomNormal([n, d], using: &rng)
                func direction(_ g: Tensor<Double>) -> Tensor<Double> { let w = g / g.norm() + random / random.norm(); return w / w.norm() }
                let v1 = direction(r.gradZ1), v2 = direction(r.gradZ2)
                let f1: (Tensor<Double>) -> Double = { s in method.evaluate(z1: b.z1 + v1 * s.scalars[0], z2: b.z2, targets: b.targets, state: state, decompose: false).loss }
                let f2: (Tensor<Double>) -> Double = { s in method.evaluate(z1: b.z1, z2: b.z2 + v2 * s.scalars[0], targets: b.targets, state: state, decompose: false).loss }
                for (f, g, v, view) in [(f1, r.gradZ1, v1, 1), (f2, r.gradZ2, v2, 2)] {
                    let numeric = fivePointGradient(of: f, at: Tensor(shape: [1], scalars: [0]), coordinates: [0], step: 1e-2)[0]
                    let analytic = g.dot(v)
                    #expect(abs(numeric - analytic) <= 1e-7 * abs(analytic), "\(name) direction \(k) view \(view): \(analytic) vs \(numeric)")
                }
            }
        }
    }

    @Test(arguments: analytic)
    func smallBatchFreshState(name: String) throws {
        try check(name, n: 12, d: 8, sample: nil, state: MethodState(), seed: 11, step: 1e-3)
    }

    @Test(arguments: analytic)
    func smallBatchWithQueueFAndPredictor(name: String) throws {
        try check(name, n: 12, d: 8, sample: nil, state: randomState(d: 8, queue: 20, seed: 5), seed: 12, step: 1e-3)
    }

    @Test(arguments: analytic)
    func largeBatch(name: String) throws {
        try check(name, n: 256, d: 128, sample: 16, state: randomState(d: 128, queue: 256, seed: 7), seed: 13, step: 1e-2, directions: 2)
    }
}

/// Gradient-only methods: `grad` is the tangent projection (or batch-standardisation backward) of
/// the documented `g/(2N)`, and equals finite differences of the surrogate with `sg(g)` held fixed.
@Suite struct SurrogateGradientTests {
    static let surrogate = MethodCatalog.all.filter { $0.lossKind == .surrogate }.map(\.name)

    /// The documented `g1` (view 1; view 2 swaps the roles) written with plain loops.
    func documentedG(_ name: String, z1: Tensor<Double>, z2: Tensor<Double>, b: RandomBatch, F: Tensor<Double>?,
                     centered: Bool = false) -> (Tensor<Double>, Tensor<Double>) {
        let n = z1.rows, d = z1.columns
        func rows(_ t: Tensor<Double>) -> [[Double]] { (0..<t.rows).map { t.row($0) } }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        func standardize(_ t: Tensor<Double>) -> [[Double]] {
            var out = rows(t)
            for j in 0..<d {
                let mu = out.reduce(0) { $0 + $1[j] } / Double(n)
                let v = out.reduce(0) { $0 + ($1[j] - mu) * ($1[j] - mu) } / Double(n)
                for b in 0..<n { out[b][j] = (out[b][j] - mu) / (v + 1e-5).squareRoot() }
            }
            return out
        }
        func unit(_ t: Tensor<Double>) -> [[Double]] { rows(t).map { r in let s = dot(r, r).squareRoot(); return r.map { $0 / s } } }
        func g(own x: [[Double]], target t: [[Double]]) -> [[Double]] {
            switch name {
            case "barlow-l2", "barlow-grad":
                let lambda = name == "barlow-l2" ? 50.0 : 0.0051
                return (0..<n).map { b in
                    var v = t[b].map { -$0 }
                    for w in 0..<n { let s = dot(t[b], t[w]) / Double(n); for j in 0..<d { v[j] += lambda * s * x[w][j] } }
                    return v.map { 2 * $0 }
                }
            case "vicreg-grad":
                let mean = (0..<d).map { j in x.reduce(0) { $0 + $1[j] } / Double(n) }
                let xc = centered ? x.map { r in (0..<d).map { r[$0] - mean[$0] } } : x
                let count = Double(centered ? n - 1 : n)
                return (0..<n).map { b in
                    var v = t[b].map { -$0 }
                    for w in 0..<n { let s = dot(xc[b], xc[w]) / count; for j in 0..<d { v[j] += 10 * s * xc[w][j] } }
                    return v
                }
            default: // byol-grad
                let Fm = rows(F!)
                let Wp = rows(DirectPredPredictor.predictor(F: F!, eps: 0.3).W)
                return (0..<n).map { b in
                    let Fu = Fm.map { dot($0, x[b]) }, Wt = Wp.map { dot($0, t[b]) }
                    let lam = dot(x[b], Wt) / dot(x[b], Fu)
                    return (0..<d).map { -t[b][$0] + lam * Fu[$0] }
                }
            }
        }
        let standardized = name == "barlow-grad"
        let x1 = standardized ? standardize(z1) : unit(z1), x2 = standardized ? standardize(z2) : unit(z2)
        let t1 = standardized ? standardize(b.z1t) : unit(b.z1t), t2 = standardized ? standardize(b.z2t) : unit(b.z2t)
        return (Tensor(rows: g(own: x1, target: t2)), Tensor(rows: g(own: x2, target: t1)))
    }

    /// `vicreg-grad` with `center = 1`: the negatives are the centred batch, `λ Cov(u1) ū1`.
    @Test func vicregGradCenteredNegatives() throws {
        let method = try MethodCatalog.make("vicreg-grad", Double.self,
                                            parameters: MethodCatalog.parameters(for: "vicreg-grad", values: ["center": 1]))
        let b = RandomBatch(n: 12, d: 8, seed: 22)
        let r = method.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: randomState(d: 8, seed: 3), decompose: false)
        let sg = try #require(r.surrogate)
        let (g1, g2) = documentedG("vicreg-grad", z1: b.z1, z2: b.z2, b: b, F: nil, centered: true)
        #expect((sg.g1 - g1).maxAbs() <= 1e-10 * max(1, g1.maxAbs()))
        #expect((sg.g2 - g2).maxAbs() <= 1e-10 * max(1, g2.maxAbs()))
        let (u1, u2) = documentedG("vicreg-grad", z1: b.z1, z2: b.z2, b: b, F: nil)
        #expect((sg.g1 - u1).maxAbs() > 1e-3 && (sg.g2 - u2).maxAbs() > 1e-3, "centring must change the negatives")
    }

    @Test(arguments: surrogate, [(12, 8), (256, 128)])
    func gradientIsProjectedDocumentedG(name: String, size: (Int, Int)) throws {
        let (n, d) = size
        let method = try MethodCatalog.make(name, Double.self)
        let b = RandomBatch(n: n, d: d, seed: 21)
        let state = randomState(d: d, seed: 3)
        let r = method.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: state, decompose: false)
        #expect(r.lossKind == .surrogate)
        let sg = try #require(r.surrogate)
        let (g1, g2) = documentedG(name, z1: b.z1, z2: b.z2, b: b, F: r.nextState.correlation)
        #expect((sg.g1 - g1).maxAbs() <= 1e-10 * max(1, g1.maxAbs()), "\(name): g1 differs from the documented formula")
        #expect((sg.g2 - g2).maxAbs() <= 1e-10 * max(1, g2.maxAbs()), "\(name): g2 differs from the documented formula")
        // grad_z = backward of the variable map applied to g/(2N).
        func back(_ z: Tensor<Double>, _ g: Tensor<Double>) -> Tensor<Double> {
            let gx = g / Double(2 * n)
            switch sg.variable {
            case .normalized:
                let (u, norms) = z.l2NormalizedRowsWithNorms()
                return Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: gx)
            case .standardized:
                let (x, sigma) = BatchStandardization.forward(z)
                return BatchStandardization.backward(zTilde: x, sigma: sigma, gradZTilde: gx)
            case .raw: return gx
            }
        }
        #expect((r.gradZ1 - back(b.z1, g1)).maxAbs() <= 1e-12 * max(1, r.gradZ1.maxAbs()))
        #expect((r.gradZ2 - back(b.z2, g2)).maxAbs() <= 1e-12 * max(1, r.gradZ2.maxAbs()))
        // Finite differences of the surrogate with sg(g) fixed.
        let sample: Int? = n * d > 200 ? 100 : nil
        let c1 = checkSurrogate(r.gradZ1, g: g1, variable: sg.variable, at: b.z1, sample: sample, seed: 1)
        let c2 = checkSurrogate(r.gradZ2, g: g2, variable: sg.variable, at: b.z2, sample: sample, seed: 2)
        // The whole-batch surrogate agrees on a few coordinates too (less precise at large N).
        let whole = checkGradient(r.gradZ1, of: { sg.value(z1: $0, z2: b.z2) }, at: b.z1, sample: 20, step: 1e-3, seed: 3)
        #expect(whole.maxRelativeError <= 1e-4, "\(name) whole surrogate FD z1: \(whole)")
        #expect(c1.maxRelativeError <= 1e-7, "\(name) surrogate FD z1: \(c1)")
        #expect(c2.maxRelativeError <= 1e-7, "\(name) surrogate FD z2: \(c2)")
        // The reported value is the surrogate at the current point.
        #expect(abs(r.loss - sg.value(z1: b.z1, z2: b.z2)) <= 1e-12 * max(1, abs(r.loss)))
    }
}

/// Five-point differences of `½·1/N Σ_b ⟨g_b, x(z)_b⟩` with `g` fixed, evaluating only the part a
/// coordinate can change (row `b` for `u = z/‖z‖`, column `j` for batch standardisation), so the
/// check is not drowned by the rounding of the other `N−1` rows at N = 256.
func checkSurrogate(_ analytic: Tensor<Double>, g: Tensor<Double>, variable: DecompositionVariable,
                    at z: Tensor<Double>, sample: Int?, seed: UInt64) -> GradCheckReport {
    let n = z.rows, d = z.columns
    let coords = FiniteDifferences.coordinates(count: z.count, sample: sample, seed: seed)
    let numeric = coords.map { i -> Double in
        let (b, j) = (i / d, i % d)
        let f: (Tensor<Double>) -> Double
        switch variable {
        case .normalized:
            f = { zp in
                let row = zp.row(b), s = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return zip(g.row(b), row).reduce(0) { $0 + $1.0 * $1.1 / s } / Double(2 * n)
            }
        case .standardized:
            f = { zp in
                let col = (0..<n).map { zp[$0, j] }
                let mu = col.reduce(0, +) / Double(n)
                let sigma = (col.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(n) + 1e-5).squareRoot()
                return (0..<n).reduce(0) { $0 + g[$1, j] * (col[$1] - mu) / sigma } / Double(2 * n)
            }
        case .raw:
            f = { zp in g.dot(zp) / Double(2 * n) }
        }
        return fivePointGradient(of: f, at: z, coordinates: [i], step: 1e-3)[0]
    }
    return FiniteDifferences.compare(analytic: coords.map { analytic.scalars[$0] }, numeric: numeric, indices: coords,
                                     floor: 1e-4 * analytic.maxAbs())
}
