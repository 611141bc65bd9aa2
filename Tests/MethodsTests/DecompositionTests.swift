import Methods
import TensorCore
import Testing

/// The unified decomposition adds up to the exact gradient, and its parts mean what they say.
@Suite struct DecompositionTests {
    static let names = MethodCatalog.names

    @Test(arguments: names, [false, true])
    func partsAddUpToExactGradient(name: String, withState: Bool) throws {
        for (n, d) in [(12, 8), (64, 32)] {
            let method = try MethodCatalog.make(name, Double.self)
            let b = RandomBatch(n: n, d: d, seed: 31)
            let state = withState ? randomState(d: d, queue: 40, seed: 9) : MethodState()
            let r = method.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: state)
            #expect(r.views.count == 2)
            for (v, z, gz) in zip(r.views, [b.z1, b.z2], [r.gradZ1, r.gradZ2]) {
                #expect(v.reconstructionError() <= 1e-10, "\(name) view \(v.view) N=\(n): error \(v.reconstructionError())")
                // The decomposed gradient is the gradient in x, consistent with ∂L/∂z.
                let back: Tensor<Double>
                switch v.variable {
                case .normalized:
                    let (u, norms) = z.l2NormalizedRowsWithNorms()
                    back = Tensor.l2NormalizeBackward(u: u, norms: norms, gradU: v.gradient)
                case .standardized:
                    let (x, sigma) = BatchStandardization.forward(z)
                    back = BatchStandardization.backward(zTilde: x, sigma: sigma, gradZTilde: v.gradient)
                case .raw: back = v.gradient
                }
                #expect((back - gz).maxAbs() <= 1e-12 * max(1, gz.maxAbs()), "\(name) view \(v.view)")
                #expect(v.variable == (try MethodCatalog.descriptor(named: name)).variable)
                #expect(v.negative.shape == [n, d] && v.weights.rows == n && v.negativeSet.labels.count == v.weights.columns)
                // The positive term points against the (scaled) positive target / other view.
                #expect((0..<n).allSatisfy { v.cosine(sample: $0).isFinite })
            }
            // Without decomposition: same loss and gradients, no views.
            let lean = method.evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: state, decompose: false)
            #expect(lean.views.isEmpty && lean.loss == r.loss && lean.gradZ1 == r.gradZ1 && lean.gradZ2 == r.gradZ2)
            // The named terms add up to the reported value.
            #expect(abs(r.terms.reduce(0) { $0 + $1.value } - r.loss) <= 1e-12 * max(1, abs(r.loss)))
        }
    }

    @Test func uniGradNegativeIsFuAndLambdaIsTheHyperParameter() throws {
        let b = RandomBatch(n: 16, d: 8, seed: 2)
        for state in [MethodState<Double>(), randomState(d: 8, seed: 4)] {
            let r = UniGradMethod<Double>(lambda: 100, rho: 0.99).evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: state)
            let F = try #require(r.nextState.correlation)
            let u1 = b.z1.l2NormalizedRows(), t2 = b.z2t.l2NormalizedRows()
            let v = r.views[0]
            #expect((v.negative - u1.matmul(F)).maxAbs() <= 1e-13)
            #expect(v.paperLambda.allSatisfy { abs($0 - 100) <= 1e-9 })
            #expect((v.positive / v.scale + t2).maxAbs() <= 1e-13)
            #expect(v.scale == 1.0 / 32)
            #expect(v.residual.maxAbs() == 0)
            // V: 2N batch targets, plus D eigen-directions of the previous F when there is one.
            #expect(v.negativeSet.count == 32 + (state.correlation == nil ? 0 : 8))
        }
    }

    @Test func infoNCEWeightsAreASoftmaxAndLambdaIsOne() throws {
        let b = RandomBatch(n: 10, d: 6, seed: 8)
        for name in ["moco", "simclr", "ntxent"] {
            let r = try MethodCatalog.make(name, Double.self).evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: randomState(d: 6, queue: 15, seed: 1))
            for v in r.views {
                let m = v.weights.columns
                for s in 0..<10 {
                    let row = v.weights.scalars[(s * m)..<((s + 1) * m)]
                    #expect(abs(row.reduce(0, +) - 1) <= 1e-12, "\(name): weights of sample \(s) sum to \(row.reduce(0, +))")
                    #expect(row.allSatisfy { $0 >= 0 })
                }
                #expect(v.paperLambda.allSatisfy { abs($0 - 1) <= 1e-12 })
            }
            if name == "ntxent" {
                // Self-similarity is excluded; the residual is the key-side gradient (non-zero).
                #expect((0..<10).allSatisfy { r.views[0].weights[$0, $0] == 0 })
                #expect(r.views[0].residual.maxAbs() > 1e-3)
            } else {
                #expect(r.views[0].residual.maxAbs() == 0)
            }
        }
    }

    @Test func byolWithIdentityPredictorHasNoResidual() throws {
        let b = RandomBatch(n: 8, d: 5, seed: 3)
        let r = BYOLMethod<Double>().evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: MethodState())
        #expect(r.views[0].residual.maxAbs() <= 1e-15)
        // λ_b = κ_b = u·t (paper: u·W t/(uᵀF u) with W = F = I).
        let u1 = b.z1.l2NormalizedRows(), t2 = b.z2t.l2NormalizedRows()
        let dots = (0..<8).map { r in zip(u1.row(r), t2.row(r)).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(zip(r.views[0].paperLambda, dots).allSatisfy { abs($0 - $1) <= 1e-13 })
        // With a general W the residual is non-zero (the dropped Wᵀ → I and 1/‖Wu‖).
        let rw = BYOLMethod<Double>().evaluate(z1: b.z1, z2: b.z2, targets: b.targets, state: randomState(d: 5, seed: 6))
        #expect(rw.views[0].residual.maxAbs() > 1e-4)
        #expect(rw.views[0].lambdaIsPerSample)
    }

    @Test func barlowResidualIsTheDiagonalCorrection() throws {
        let b = RandomBatch(n: 20, d: 6, seed: 4)
        let lambda = 0.0051
        let r = BarlowTwinsMethod<Double>(lambda: lambda).evaluate(z1: b.z1, z2: b.z2, targets: .none, state: MethodState())
        let x1 = BatchStandardization.forward(b.z1).zTilde, x2 = BatchStandardization.forward(b.z2).zTilde
        let C = x1.matmul(x2, transposeSelf: true) / 20
        var expected = x2
        for s in 0..<20 { for j in 0..<6 { expected[s, j] *= (2.0 / 20) * (1 - lambda) * C[j, j] } }
        #expect((r.views[0].residual - expected).maxAbs() <= 1e-14)
        #expect((r.views[0].negative - x2.matmul(C, transposeOther: true)).maxAbs() <= 1e-12) // C z̃2_b in row form
    }
}
