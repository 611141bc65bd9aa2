import Methods
import TensorCore
import Testing

/// A few plain gradient steps on `z1`, `z2` lower the loss (targets and state held fixed). For
/// surrogate methods the value that must go down is the surrogate with `sg(g)` fixed at the start,
/// which is what their gradient is the gradient of.
@Suite struct DescentTests {
    @Test(arguments: MethodCatalog.names)
    func lossGoesDown(name: String) throws {
        let method = try MethodCatalog.make(name, Double.self)
        let b = RandomBatch(n: 16, d: 8, seed: 50)
        let state = name == "byol" || name == "simsiam" ? randomState(d: 8, seed: 51) : MethodState<Double>(queue: randomState(d: 8, seed: 52).queue)
        var z1 = b.z1, z2 = b.z2
        let first = method.evaluate(z1: z1, z2: z2, targets: b.targets, state: state, decompose: false)
        let sg = first.surrogate
        func value(_ r: MethodResult<Double>) -> Double { sg?.value(z1: z1, z2: z2) ?? r.loss }
        var values = [value(first)]
        let lr = 0.2 / max(first.gradZ1.maxAbs(), first.gradZ2.maxAbs())  // a step of at most 0.2 per coordinate
        var r = first
        for _ in 0..<5 {
            let g1 = sg == nil ? r.gradZ1 : first.gradZ1, g2 = sg == nil ? r.gradZ2 : first.gradZ2
            z1 = z1 - g1 * (lr * 0.1)
            z2 = z2 - g2 * (lr * 0.1)
            r = method.evaluate(z1: z1, z2: z2, targets: b.targets, state: state, decompose: false)
            values.append(value(r))
        }
        for k in 1..<values.count { #expect(values[k] < values[k - 1], "\(name): \(values)") }
        #expect(values.last! < values.first! - 1e-6 * max(1, abs(values.first!)), "\(name): \(values)")
    }
}
