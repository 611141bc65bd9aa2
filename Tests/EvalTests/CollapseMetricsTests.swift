import Foundation
import Testing
import TensorCore
@testable import Eval

@Suite struct CollapseMetricsTests {
    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func effectiveRankOfIsotropicAndRankOneMatrices(_ type: any BLASScalar.Type) {
        func run<T: BLASScalar>(_: T.Type) {
            let tol = T.self == Float.self ? 1e-4 : 1e-10
            // Identity: all singular values equal → exactly D.
            #expect(abs(CollapseMetrics.effectiveRank(Tensor<T>.identity(16)) - 16) < 16 * tol)
            // Rank one: a bᵀ → 1.
            var rng = RandomGenerator(seed: 2)
            let a = Tensor<T>.randomNormal([50, 1], using: &rng), b = Tensor<T>.randomNormal([1, 12], using: &rng)
            #expect(abs(CollapseMetrics.effectiveRank(a.matmul(b)) - 1) < 1e-3)
            // Isotropic Gaussian with N ≫ D: close to D.
            let g = Tensor<T>.randomNormal([4000, 16], using: &rng)
            let r = CollapseMetrics.effectiveRank(g)
            #expect(r > 15.8 && r <= 16.0001, "erank \(r)")
        }
        run(type)
    }

    @Test func effectiveRankFollowsTheEntropyFormula() {
        // σ = (3, 1) → p = (3/4, 1/4), H = −(¾ log ¾ + ¼ log ¼).
        let x = Tensor<Double>(rows: [[3, 0], [0, 1], [0, 0]])
        let p = [0.75, 0.25]
        let expected = exp(-(p[0] * log(p[0]) + p[1] * log(p[1])))
        #expect(abs(CollapseMetrics.effectiveRank(x) - expected) < 1e-12)
        #expect(CollapseMetrics.effectiveRank(Tensor<Double>.zeros([3, 2])) == 0)
    }

    @Test func singularValuesOfKnownMatrices() {
        // Tall: orthogonal columns scaled by 3, 2, 1.
        let tall = Tensor<Double>(rows: [[0, 3, 0], [2, 0, 0], [0, 0, 1], [0, 0, 0]])
        let s = CollapseMetrics.singularValues(tall)
        #expect(zip(s, [3.0, 2, 1]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(s)")
        // Wide (N < D) goes through XXᵀ: min(N, D) values.
        let wide = tall.transposed()
        let sw = CollapseMetrics.singularValues(wide)
        #expect(sw.count == 3 && zip(sw, [3.0, 2, 1]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(sw)")
        let p = CollapseMetrics.normalizedSpectrum(s)
        #expect(abs(p[0] - 0.5) < 1e-12 && abs(p.reduce(0, +) - 1) < 1e-12)
        // Centering removes a constant offset: rows c + (±1) e0 have one non-zero centred σ.
        let offset = Tensor<Double>(rows: [[6, 5], [4, 5]])
        let centred = CollapseMetrics.singularValues(offset, centered: true)
        #expect(abs(centred[0] - 2.0.squareRoot()) < 1e-12 && abs(centred[1]) < 1e-6)
    }

    @Test func normalizedStdIsOneOverRootDWhenHealthyAndZeroWhenCollapsed() {
        var rng = RandomGenerator(seed: 3)
        let healthy = Tensor<Float>.randomNormal([5000, 64], using: &rng)
        let s = CollapseMetrics.normalizedStd(healthy)
        #expect(abs(s - 1.0 / 8) < 0.01 / 8, "std \(s)")
        // Every sample the same direction, up to 1e-6 noise (and different lengths).
        let direction = Tensor<Double>.randomNormal([1, 64], using: &rng)
        var collapsed = Tensor<Double>.randomNormal([500, 64], std: 1e-6, using: &rng)
        for i in 0..<500 { for j in 0..<64 { collapsed[i, j] += Double(1 + i % 3) * direction[0, j] } }
        #expect(CollapseMetrics.normalizedStd(collapsed) < 1e-5)
    }

    @Test func alignmentOnKnownInputs() {
        let u = Tensor<Double>(rows: [[1, 0, 0], [0, 2, 0]])
        #expect(CollapseMetrics.alignment(u, u) == 0)
        #expect(abs(CollapseMetrics.alignment(u, -u) - 4) < 1e-14)
        // e0 vs e1 and e1 vs e1: ‖·‖² = 2 and 0 → mean 1; with α = 1: (√2 + 0)/2.
        let v = Tensor<Double>(rows: [[0, 5, 0], [0, 1, 0]])
        #expect(abs(CollapseMetrics.alignment(u, v) - 1) < 1e-14)
        #expect(abs(CollapseMetrics.alignment(u, v, alpha: 1) - 2.0.squareRoot() / 2) < 1e-14)
        #expect(abs(CollapseMetrics.positiveSimilarity(u, v) - 0.5) < 1e-14)
        #expect(abs(CollapseMetrics.positiveSimilarity(u, u) - 1) < 1e-14)
    }

    @Test func uniformityOnKnownInputs() {
        // Two antipodal points: the only pair has ‖·‖² = 4 → log e^{−8} = −8.
        #expect(abs(CollapseMetrics.uniformity(Tensor<Double>(rows: [[1, 0], [-3, 0]])) + 8) < 1e-12)
        // Collapse: all pairs at distance 0 → 0.
        #expect(abs(CollapseMetrics.uniformity(Tensor<Double>(rows: [[1, 1], [2, 2], [3, 3]]))) < 1e-12)
        // Square of four points on the circle: 4 pairs at ‖·‖² = 2, 2 at 4.
        let square = Tensor<Double>(rows: [[1, 0], [0, 1], [-1, 0], [0, -1]])
        let expected = log((4 * exp(-4.0) + 2 * exp(-8.0)) / 6)
        #expect(abs(CollapseMetrics.uniformity(square) - expected) < 1e-12)
    }

    @Test func sampledUniformityApproximatesExact() {
        var rng = RandomGenerator(seed: 4)
        let z = Tensor<Float>.randomNormal([600, 8], using: &rng)
        let exact = CollapseMetrics.uniformity(z)
        let sampled = CollapseMetrics.uniformity(z, exactLimit: 0, sampledPairs: 200_000, seed: 1)
        #expect(abs(exact - sampled) < 0.01, "exact \(exact), sampled \(sampled)")
        #expect(exact < -2)   // spread out on S⁷: well below 0
    }

    @Test func reportDescribesHealthyAndCollapsedFeatures() throws {
        var rng = RandomGenerator(seed: 5)
        let z1 = Tensor<Float>.randomNormal([512, 32], using: &rng)
        let z2 = z1 + Tensor<Float>.randomNormal([512, 32], std: 0.1, using: &rng)
        let healthy = try CollapseReport(features: z1, secondView: z2)
        #expect(healthy.verdict == "healthy")
        #expect(healthy.effectiveRank > 30 && healthy.effectiveRank <= 32)
        #expect(healthy.positiveSimilarity! > 0.98 && healthy.alignment! < 0.04)
        #expect(healthy.singularValues.count == 32 && healthy.normalizedSpectrum.count == 32)
        let text = healthy.description
        #expect(text.contains("effective rank") && text.contains("alignment") && text.contains("verdict             healthy"))

        let collapsed = try CollapseReport(features: Tensor<Float>(repeating: 0.5, shape: [64, 32]))
        #expect(collapsed.verdict == "collapsed")
        #expect(abs(collapsed.effectiveRank - 1) < 1e-6 && collapsed.normalizedStd < 1e-6)
        #expect(abs(collapsed.uniformity) < 1e-6 && collapsed.alignment == nil)
        #expect(!collapsed.description.contains("alignment"))

        #expect(throws: EvalError.tooFewSamples(name: "features", count: 1, minimum: 2)) {
            try CollapseReport(features: Tensor<Double>(rows: [[1, 2]]))
        }
        #expect(throws: EvalError.nonFiniteFeatures(name: "features", row: 0, column: 0)) {
            try CollapseReport(features: Tensor<Float>(rows: [[.infinity, 0], [1, 1]]))
        }
    }
}
