import Methods
import TensorCore
import Testing

/// Loss values against plain-loop implementations of the DESIGN.md definitions.
@Suite struct LossValueTests {
    let b = RandomBatch(n: 7, d: 5, seed: 60)
    func rows(_ t: Tensor<Double>) -> [[Double]] { (0..<t.rows).map { t.row($0) } }
    func unit(_ t: Tensor<Double>) -> [[Double]] { rows(t.l2NormalizedRows()) }
    func dot(_ a: [Double], _ c: [Double]) -> Double { zip(a, c).reduce(0) { $0 + $1.0 * $1.1 } }
    func close(_ a: Double, _ c: Double) -> Bool { abs(a - c) <= 1e-12 * max(1, abs(c)) }

    @Test func infoNCEFamily() throws {
        let u1 = unit(b.z1), u2 = unit(b.z2), t1 = unit(b.z1t), t2 = unit(b.z2t), tau = 0.2
        let q = randomState(d: 5, queue: 9, seed: 1).queue!
        let Q = rows(q)
        func moco(_ u: [Double], _ t: [Double]) -> Double {
            -dot(u, t) / tau + log(exp(dot(u, t) / tau) + Q.reduce(0) { $0 + exp(dot(u, $1) / tau) })
        }
        let mocoL = (0..<7).reduce(0) { $0 + moco(u1[$1], t2[$1]) + moco(u2[$1], t1[$1]) } / 14
        let r = try MethodCatalog.make("moco", Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: MethodState(queue: q))
        #expect(close(r.loss, mocoL))
        let K = t1 + t2
        func simclr(_ u: [Double], _ t: [Double]) -> Double { -dot(u, t) / tau + log(K.reduce(0) { $0 + exp(dot(u, $1) / tau) }) }
        let simL = (0..<7).reduce(0) { $0 + simclr(u1[$1], t2[$1]) + simclr(u2[$1], t1[$1]) } / 14
        #expect(close(try MethodCatalog.make("simclr", Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets).loss, simL))
        let U = u1 + u2
        let ntL = (0..<14).reduce(0.0) { acc, i in
            let p = (i + 7) % 14
            let lse = log((0..<14).filter { $0 != i }.reduce(0) { $0 + exp(dot(U[i], U[$1]) / tau) })
            return acc - dot(U[i], U[p]) / tau + lse
        } / 14
        #expect(close(try MethodCatalog.make("ntxent", Double.self).evaluate(z1: b.z1, z2: b.z2).loss, ntL))
    }

    @Test func uniGradAndBYOL() throws {
        let u1 = unit(b.z1), u2 = unit(b.z2), t1 = unit(b.z1t), t2 = unit(b.z2t)
        var F = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 5)
        for v in t1 + t2 { for i in 0..<5 { for j in 0..<5 { F[i][j] += v[i] * v[j] / 14 } } }
        func quad(_ u: [Double]) -> Double { (0..<5).reduce(0) { a, i in a + (0..<5).reduce(0) { $0 + u[i] * F[i][$1] * u[$1] } } }
        let uni = (0..<7).reduce(0) { $0 - dot(u1[$1], t2[$1]) + 50 * quad(u1[$1]) - dot(u2[$1], t1[$1]) + 50 * quad(u2[$1]) } / 14
        #expect(close(try MethodCatalog.make("unigrad", Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets).loss, uni))
        let W = randomState(d: 5, seed: 2).predictor!
        let Wr = rows(W)
        func ncos(_ u: [Double], _ t: [Double]) -> Double {
            let h = Wr.map { dot($0, u) }
            return -dot(h, t) / dot(h, h).squareRoot()
        }
        let byol = (0..<7).reduce(0) { $0 + ncos(u1[$1], t2[$1]) + ncos(u2[$1], t1[$1]) } / 14
        #expect(close(try MethodCatalog.make("byol", Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: MethodState(predictor: W)).loss, byol))
    }

    @Test func barlowAndVICReg() throws {
        let n = 7, d = 5
        func standardize(_ t: Tensor<Double>) -> [[Double]] {
            var out = rows(t)
            for j in 0..<d {
                let mu = out.reduce(0) { $0 + $1[j] } / Double(n)
                let v = out.reduce(0) { $0 + ($1[j] - mu) * ($1[j] - mu) } / Double(n)
                for s in 0..<n { out[s][j] = (out[s][j] - mu) / (v + 1e-5).squareRoot() }
            }
            return out
        }
        let x1 = standardize(b.z1), x2 = standardize(b.z2)
        var on = 0.0, off = 0.0
        for i in 0..<d { for j in 0..<d {
            let c = (0..<n).reduce(0) { $0 + x1[$1][i] * x2[$1][j] } / Double(n)
            if i == j { on += (1 - c) * (1 - c) } else { off += 0.0051 * c * c }
        } }
        let r = try MethodCatalog.make("barlow", Double.self).evaluate(z1: b.z1, z2: b.z2)
        #expect(close(r.term("on-diagonal")!.value, on) && close(r.term("off-diagonal")!.value, off) && close(r.loss, on + off))

        let z1 = rows(b.z1), z2 = rows(b.z2)
        var mse = 0.0
        for s in 0..<n { for j in 0..<d { mse += (z1[s][j] - z2[s][j]) * (z1[s][j] - z2[s][j]) } }
        mse /= Double(n * d)
        func varCov(_ z: [[Double]]) -> (Double, Double) {
            let mu = (0..<d).map { j in z.reduce(0) { $0 + $1[j] } / Double(n) }
            var v = 0.0, c = 0.0
            for i in 0..<d {
                for j in 0..<d {
                    let cov = (0..<n).reduce(0) { $0 + (z[$1][i] - mu[i]) * (z[$1][j] - mu[j]) } / Double(n - 1)
                    if i == j { v += max(0, 1 - (cov + 1e-4).squareRoot()) } else { c += cov * cov }
                }
            }
            return (v / Double(d), c / Double(d))
        }
        let (v1, c1) = varCov(z1), (v2, c2) = varCov(z2)
        let rv = try MethodCatalog.make("vicreg", Double.self).evaluate(z1: b.z1, z2: b.z2)
        #expect(close(rv.term("invariance")!.value, 25 * mse))
        #expect(close(rv.term("variance")!.value, 25 * (v1 + v2)))
        #expect(close(rv.term("covariance")!.value, c1 + c2))
    }
}

/// Every method runs in Float (training precision) and agrees with Double.
@Suite struct FloatPrecisionTests {
    @Test(arguments: MethodCatalog.names)
    func floatAgreesWithDouble(name: String) throws {
        let b = RandomBatch(n: 16, d: 8, seed: 70)
        let sd = randomState(d: 8, queue: 12, seed: 71)
        let sf = MethodState<Float>(queue: sd.queue!.converted(), queueCapacity: 12, correlation: sd.correlation!.converted(),
                                    predictor: sd.predictor!.converted())
        let rd = try MethodCatalog.make(name, Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: sd)
        let rf = try MethodCatalog.make(name, Float.self).evaluate(z1: b.z1.converted(), z2: b.z2.converted(),
                                                                  targets: MethodTargets(z1t: b.z1t.converted(), z2t: b.z2t.converted()), state: sf)
        #expect(abs(Double(rf.loss) - rd.loss) <= 1e-4 * max(1, abs(rd.loss)), "\(name): \(rf.loss) vs \(rd.loss)")
        let err = (rf.gradZ1.converted(to: Double.self) - rd.gradZ1).maxAbs()
        #expect(err <= 1e-3 * max(1e-3, rd.gradZ1.maxAbs()), "\(name): grad error \(err)")
        #expect(rf.views.allSatisfy { Double($0.reconstructionError()) <= 1e-4 * max(1, Double($0.gradient.maxAbs())) })
    }
}
