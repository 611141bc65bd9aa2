import Testing
import TensorCore
import GradCheck

/// The naive triple loop that gemm must agree with.
private func naiveMatmul<T: BLASScalar>(_ a: Tensor<T>, _ b: Tensor<T>, ta: Bool, tb: Bool) -> Tensor<T> {
    let A = ta ? a.transposed() : a, B = tb ? b.transposed() : b
    let (m, k, n) = (A.rows, A.columns, B.columns)
    var c = Tensor<T>.zeros([m, n])
    for i in 0..<m { for j in 0..<n {
        var s: T = 0
        for p in 0..<k { s += A[i, p] * B[p, j] }
        c[i, j] = s
    } }
    return c
}

@Suite struct TensorTests {
    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func matmulAgreesWithNaiveLoop(_ type: any BLASScalar.Type) {
        func run<T: BLASScalar>(_: T.Type) {
            var rng = RandomGenerator(seed: 11)
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor<T>.randomNormal(ta ? [13, 7] : [7, 13], using: &rng)
                let b = Tensor<T>.randomNormal(tb ? [5, 13] : [13, 5], using: &rng)
                let fast = a.matmul(b, transposeSelf: ta, transposeOther: tb)
                let slow = naiveMatmul(a, b, ta: ta, tb: tb)
                #expect(fast.shape == [7, 5])
                let tol = T.self == Float.self ? 1e-5 : 1e-13
                #expect(Double((fast - slow).maxAbs()) < tol * Double(slow.maxAbs()))
            }
        }
        run(type)
    }

    @Test(arguments: [Float.self, Double.self] as [any BLASScalar.Type])
    func batchedMatmulAgreesWithPerItemMatmul(_ type: any BLASScalar.Type) {
        func run<T: BLASScalar>(_: T.Type) {
            var rng = RandomGenerator(seed: 12)
            let a = Tensor<T>.randomNormal([3, 4, 6], using: &rng)
            let b = Tensor<T>.randomNormal([3, 5, 6], using: &rng)
            let c = a.batchedMatmul(b, transposeOther: true)
            #expect(c.shape == [3, 4, 5])
            for i in 0..<3 {
                let ai = a.slicingRows(i..<(i + 1)).reshaped([4, 6])
                let bi = b.slicingRows(i..<(i + 1)).reshaped([5, 6])
                let ci = c.slicingRows(i..<(i + 1)).reshaped([4, 5])
                let slow = naiveMatmul(ai, bi, ta: false, tb: true)
                #expect(Double((ci - slow).maxAbs()) < (T.self == Float.self ? 1e-5 : 1e-13) * 10)
            }
        }
        run(type)
    }

    @Test func elementwiseReductionsAndBroadcasting() {
        let a = Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(a.sum() == 21)
        #expect(a.mean() == 3.5)
        #expect(a.sumRows().scalars == [5, 7, 9])
        #expect(a.sumColumns().scalars == [6, 15])
        #expect(a.addingRowVector(Tensor(shape: [3], scalars: [1, 1, 1])).scalars == [2, 3, 4, 5, 6, 7])
        #expect(a.transposed().shape == [3, 2])
        #expect(a.transposed()[2, 1] == 6)
        #expect((a * a).scalars == [1, 4, 9, 16, 25, 36])
        #expect(a.squaredNorm() == 91)
        var b = a
        b[0, 0] = 100            // copy-on-write: `a` is untouched
        #expect(a[0, 0] == 1)
        #expect(a.gatherRows([1, 0]).row(0) == [4, 5, 6])
    }

    @Test func l2NormalizationBackwardMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 13)
        let z = Tensor<Double>.randomNormal([5, 4], using: &rng)
        let g = Tensor<Double>.randomNormal([5, 4], using: &rng)
        let (u, norms) = z.l2NormalizedRowsWithNorms()
        #expect(u.rowNorms().allSatisfy { abs($0 - 1) < 1e-14 })
        let analytic = Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: g)
        let report = FiniteDifferences.checkVectorFunction(
            vectorJacobianProduct: analytic, upstream: g, of: { $0.l2NormalizedRows() }, at: z)
        #expect(report.passes(1e-6), "\(report)")
    }

    @Test func symmetricEigenReconstructsTheMatrix() {
        var rng = RandomGenerator(seed: 14)
        let x = Tensor<Double>.randomNormal([20, 6], using: &rng)
        let f = x.matmul(x, transposeSelf: true)
        let (values, vectors) = f.symmetricEigen()
        #expect(values == values.sorted())
        let lambda = Tensor<Double>(shape: [6, 6], scalars: (0..<36).map { $0 % 7 == 0 ? values[$0 / 7] : 0 })
        let rebuilt = vectors.matmul(lambda).matmul(vectors, transposeOther: true)
        #expect((rebuilt - f).maxAbs() < 1e-10 * f.maxAbs())
    }

    @Test func printingShowsShapeAndTruncatedValues() {
        let t = Tensor<Float>(shape: [2, 10], scalars: (0..<20).map(Float.init))
        let text = t.description
        #expect(text.hasPrefix("Tensor<Float> (2, 10)"))
        #expect(text.contains("…"))
        #expect(text.contains("19.0000"))
    }
}
