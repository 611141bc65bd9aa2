import Methods
import TensorCore
import Testing

@Suite struct StateTests {
    @Test func batchCorrelationHasUnitTraceAndIsSymmetric() {
        var rng = RandomGenerator(seed: 1)
        let t1 = Tensor<Double>.randomNormal([30, 7], using: &rng).l2NormalizedRows()
        let t2 = Tensor<Double>.randomNormal([30, 7], using: &rng).l2NormalizedRows()
        let F = MethodState<Double>.batchCorrelation(t1: t1, t2: t2)
        #expect(abs(F.trace() - 1) <= 1e-14)
        #expect((F - F.transposed()).maxAbs() == 0)
        #expect(F.symmetricEigen().values.allSatisfy { $0 >= -1e-15 })
    }

    @Test func movingAverageStartsAtTheBatchAndKeepsUnitTrace() {
        var rng = RandomGenerator(seed: 2)
        var state = MethodState<Double>()
        var previous: Tensor<Double>? = nil
        for step in 0..<5 {
            let t1 = Tensor<Double>.randomNormal([16, 6], using: &rng).l2NormalizedRows()
            let t2 = Tensor<Double>.randomNormal([16, 6], using: &rng).l2NormalizedRows()
            let Fhat = MethodState<Double>.batchCorrelation(t1: t1, t2: t2)
            let (next, F) = state.updatingCorrelation(t1: t1, t2: t2, rho: 0.9)
            if let previous {
                #expect((F - (previous * 0.9 + Fhat * 0.1)).maxAbs() <= 1e-15)
            } else {
                #expect(step == 0 && F == Fhat)
            }
            #expect(abs(F.trace() - 1) <= 1e-14)
            #expect(next.correlation == F)
            previous = F
            state = next
        }
    }

    @Test func uniGradUsesTheUpdatedFAndReturnsIt() {
        let b = RandomBatch(n: 8, d: 4, seed: 5)
        let F0 = randomCorrelation(d: 4, seed: 3)
        let r = UniGradMethod<Double>(lambda: 10, rho: 0.5).evaluate(z1: b.z1, z2: b.z2, targets: b.targets,
                                                                    state: MethodState(correlation: F0))
        let Fhat = MethodState<Double>.batchCorrelation(t1: b.z1t.l2NormalizedRows(), t2: b.z2t.l2NormalizedRows())
        let F = F0 * 0.5 + Fhat * 0.5
        #expect((r.nextState.correlation! - F).maxAbs() <= 1e-15)
        let u1 = b.z1.l2NormalizedRows()
        let gU1 = (u1.matmul(F) * 10 - b.z2t.l2NormalizedRows()) / 16
        #expect((r.views[0].gradient - gU1).maxAbs() <= 1e-14)
        #expect(r.nextState.step == 1)
    }

    @Test func queueIsFIFOWithCapacity() {
        let rows = (0..<9).map { i in [Double(i), 1] }
        var state = MethodState<Double>(queueCapacity: 5)
        state = state.enqueuing(Tensor(rows: Array(rows[0..<3])))
        #expect(state.queue!.rows == 3)
        state = state.enqueuing(Tensor(rows: Array(rows[3..<7])))
        #expect(state.queue! == Tensor(rows: Array(rows[2..<7])))      // oldest dropped first
        state = state.enqueuing(Tensor(rows: Array(rows[7..<9])))
        #expect(state.queue! == Tensor(rows: Array(rows[4..<9])))
    }

    @Test func mocoEnqueuesBothViewsTargets() {
        let b = RandomBatch(n: 4, d: 3, seed: 6)
        let q = Tensor<Double>(rows: (0..<6).map { i in [1, Double(i), 0] }).l2NormalizedRows()
        let r = MoCoMethod<Double>(tau: 0.2, queueSize: 10).evaluate(z1: b.z1, z2: b.z2, targets: b.targets,
                                                                    state: MethodState(queue: q))
        let expected = Tensor.concatenatingRows([q, b.z1t.l2NormalizedRows(), b.z2t.l2NormalizedRows()])
        #expect(r.nextState.queue! == expected.slicingRows(4..<14))
        #expect(r.nextState.queueCapacity == 10)
        #expect(r.views[0].negativeSet.labels.suffix(6) == (0..<6).map { "queue[\($0)]" })
    }

    @Test func directPredPredictorIsTheClampedSquareRootOfF() {
        let F = randomCorrelation(d: 6, seed: 9)
        let (W, sMax) = DirectPredPredictor.predictor(F: F, eps: 0.3)
        let (s, U) = F.symmetricEigen()
        #expect(abs(sMax - s.max()!) <= 1e-15)
        #expect((W - W.transposed()).maxAbs() <= 1e-14)
        for k in 0..<6 {
            let e = U.transposed().slicingRows(k..<(k + 1))             // eigenvector k as a row
            let expected = max((max(s[k], 0) / sMax).squareRoot() + 0.3, 1e-4)
            #expect((e.matmul(W) - e * expected).maxAbs() <= 1e-13)
        }
        // With ε = 0, W² = F/s_max.
        let (W0, _) = DirectPredPredictor.predictor(F: F, eps: 0)
        #expect((W0.matmul(W0) - F / sMax).maxAbs() <= 1e-12)
    }
}
