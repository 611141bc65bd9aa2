import Foundation
import TensorCore
import Layers
import Methods
import SSL

/// One layer of the online network, in forward order (encoder, projector, predictor).
struct NamedLayer {
    var name: String
    var layer: any Layer<Float>
}

extension Session {
    /// The online network's layers in order: `encoder.0` … `projector.6` … `predictor.3`.
    func onlineLayers(_ model: SiameseModel<Float>) -> [NamedLayer] {
        var out: [NamedLayer] = []
        func add(_ prefix: String, _ layer: (any Layer<Float>)?) {
            guard let layer else { return }
            if let seq = layer as? Sequential<Float> {
                for (n, l) in seq.children { out.append(NamedLayer(name: "\(prefix).\(n)", layer: l)) }
            } else {
                out.append(NamedLayer(name: prefix, layer: layer))
            }
        }
        add("encoder", model.encoder)
        add("projector", model.projector)
        add("predictor", model.predictor)
        return out
    }

    /// The momentum branch's layers (empty for `stopgrad`).
    func momentumLayers(_ model: SiameseModel<Float>) -> [NamedLayer] {
        var out: [NamedLayer] = []
        for (prefix, layer) in [("momentum_encoder", model.momentumEncoder), ("momentum_projector", model.momentumProjector)] {
            guard let layer else { continue }
            if let seq = layer as? Sequential<Float> {
                for (n, l) in seq.children { out.append(NamedLayer(name: "\(prefix).\(n)", layer: l)) }
            } else {
                out.append(NamedLayer(name: prefix, layer: layer))
            }
        }
        return out
    }

    /// One table row: layer name, its kind, and the statistics of its output.
    func layerLine(_ name: String, _ summary: String, _ t: Tensor<Float>) -> String {
        TextFormat.pad(name, 22) + TextFormat.pad(String(summary.prefix(26)), 27) + TensorStatistics(t).line
    }

    /// The tensor named `name` on the current batch (see `tensorNames()`).
    func namedTensor(_ name: String) throws -> Tensor<Float> {
        let batchTensors = ["x1", "x2", "z1", "z2", "u1", "u2", "t1", "t2", "p1", "p2", "grad_z1", "grad_z2"]
        if batchTensors.contains(name) || name.hasSuffix(".grad") { _ = try requireBatch() }
        let t = try ensureTrainer()
        let momentum = (t.model.momentumEncoder?.parameters ?? []) + (t.model.momentumProjector?.parameters ?? [])
        if let p = momentum.first(where: { $0.name == name }) { return p.value }
        if name.hasSuffix(".grad") || t.model.parameters.contains(where: { $0.name == name }) {
            let base = name.hasSuffix(".grad") ? String(name.dropLast(5)) : name
            guard let p = t.model.parameters.first(where: { $0.name == base }) else {
                throw LabError(Suggestions.unknown("tensor", name, among: tensorNames()))
            }
            if name.hasSuffix(".grad") {
                // Every parameter's gradient of the method's loss on this batch (one backward pass).
                let b = try requireBatch()
                let r = t.evaluateMethod(t.model.forward(b.view1, b.view2))
                for q in t.model.parameters { q.zeroGrad() }
                t.model.backward(gradZ1: r.gradZ1, gradZ2: r.gradZ2)
                return p.grad
            }
            return p.value
        }
        if let o = state.layerOutputs.first(where: { $0.name == name }) { return o.output }
        switch name {
        case "F":
            guard let F = t.methodState.correlation ?? (try? analyzeBatch())?.result.nextState.correlation else {
                throw LabError("method \(t.method.name) keeps no correlation matrix F (unigrad, byol-directpred and byol-grad do)")
            }
            return F
        case "queue":
            guard let q = t.methodState.queue else { throw LabError("the queue is empty (moco fills it during training)") }
            return q
        case "W":
            guard let w = t.methodState.predictor else { throw LabError("no linear predictor W in the method state") }
            return w
        default: break
        }
        let known = ["x1", "x2", "z1", "z2", "u1", "u2", "t1", "t2", "p1", "p2", "grad_z1", "grad_z2"]
        guard known.contains(name) else { throw LabError(Suggestions.unknown("tensor", name, among: tensorNames())) }
        let b = try requireBatch()
        if name == "x1" { return b.view1 }
        if name == "x2" { return b.view2 }
        let a = try analyzeBatch()
        let out = a.outputs
        let hasPredictor = t.model.predictor != nil
        switch name {
        case "z1": return out.z1
        case "z2": return out.z2
        case "u1": return out.z1.l2NormalizedRows()
        case "u2": return out.z2.l2NormalizedRows()
        case "t1": return (out.z1m ?? (hasPredictor ? out.p1 : out.z1)).l2NormalizedRows()
        case "t2": return (out.z2m ?? (hasPredictor ? out.p2 : out.z2)).l2NormalizedRows()
        case "p1": return out.p1
        case "p2": return out.p2
        case "grad_z1": return a.result.gradZ1
        default: return a.result.gradZ2
        }
    }
}

extension Commands {
    /// The forward pass, whole or layer by layer, and inspection of named tensors.
    static func forwardCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("forward", aliases: ["fwd"], family: "forward", usage: "forward [values]",
                    summary: "a whole forward pass of both views through the online and target branches",
                    details: "Prints each layer's output shape, mean, std, min, max and fraction of zeros; with 'values', the first entries of sample 0.",
                    example: "forward", arity: 0...1, completion: [.choices(["values"])]) { s, args in
                if let a = args.first, a != "values" { throw LabError("forward takes 'values' or nothing, got '\(a)'") }
                let showValues = !args.isEmpty
                let b = try s.requireBatch()
                let t = try s.ensureTrainer()
                t.model.setTraining(true)
                var x = Tensor.concatenatingRows([b.view1, b.view2])
                s.print(s.bold("online branch") + " (both views as one batch of \(2 * b.count); batch norm uses batch statistics)")
                s.print(s.layerLine("input x = [x1; x2]", "", x))
                var outputs: [(name: String, output: Tensor<Float>)] = []
                for l in s.onlineLayers(t.model) {
                    x = l.layer.forward(x)
                    outputs.append((l.name, x))
                    s.print(s.layerLine(l.name, l.layer.summary, x))
                    if showValues { s.print("    sample 0: " + x.reshaped([x.shape[0], x.count / x.shape[0]]).previewRow(0)) }
                }
                let momentum = s.momentumLayers(t.model)
                if !momentum.isEmpty {
                    s.print(s.bold("target branch") + " (momentum encoder and projector, no gradient)")
                    var y = Tensor.concatenatingRows([b.view1, b.view2])
                    for l in momentum {
                        y = l.layer.forward(y)
                        outputs.append((l.name, y))
                        s.print(s.layerLine(l.name, l.layer.summary, y))
                    }
                } else {
                    s.print(s.bold("target branch") + ": stop-gradient copies of the online outputs (target \(s.config.target.rawValue))")
                }
                s.state.layerOutputs = outputs
                let a = try s.analyzeBatch()
                let u1 = a.outputs.z1.l2NormalizedRows()
                s.print("z1, z2: \(TextFormat.shape(a.outputs.z1.shape)); mean ‖z1‖ \(TextFormat.number(Double(a.outputs.z1.rowNorms().reduce(0, +)) / Double(b.count)))"
                        + "; mean cos(u1, u2) \(TextFormat.number(Double(u1.dot(a.outputs.z2.l2NormalizedRows())) / Double(b.count)))")
                s.print("inspect any of: z1 u1 t1 p1 F grad_z1, a layer (encoder.0) or a parameter (encoder.0.weight, ….grad)")
            },
            Command("trace", family: "forward", usage: "trace [reset|all]",
                    summary: "step through the online network one layer at a time",
                    details: "Each 'trace' applies the next layer to both views and prints its output's statistics and first values.",
                    example: "trace", arity: 0...1, completion: [.choices(["reset", "all"])]) { s, args in
                let b = try s.requireBatch()
                let t = try s.ensureTrainer()
                let layers = s.onlineLayers(t.model)
                if let a = args.first {
                    guard a == "reset" || a == "all" else { throw LabError("trace takes 'reset', 'all' or nothing, got '\(a)'") }
                    if a == "reset" {
                        s.state.traceCursor = 0
                        s.state.traceActivation = nil
                        s.print("trace reset: the next 'trace' applies \(layers.first?.name ?? "the first layer")")
                        return
                    }
                }
                if s.state.traceCursor >= layers.count || s.state.traceActivation == nil {
                    s.state.traceCursor = 0
                    let x = Tensor.concatenatingRows([b.view1, b.view2])
                    s.state.traceActivation = x
                    s.print(s.layerLine("input x = [x1; x2]", "", x))
                }
                t.model.setTraining(true)
                repeat {
                    guard let x = s.state.traceActivation else { break }
                    let l = layers[s.state.traceCursor]
                    let y = l.layer.forward(x)
                    s.state.traceActivation = y
                    s.state.traceCursor += 1
                    s.state.layerOutputs.removeAll { $0.name == l.name }
                    s.state.layerOutputs.append((l.name, y))
                    s.print("[\(s.state.traceCursor)/\(layers.count)] " + s.layerLine(l.name, l.layer.summary, y))
                    s.print("    sample 0: " + y.reshaped([y.shape[0], y.count / y.shape[0]]).previewRow(0))
                    if s.interrupt.isRaised { break }
                } while args.first == "all" && s.state.traceCursor < layers.count
                if s.state.traceCursor >= layers.count {
                    s.print("end of the online network: these rows are [z1; z2]; the next 'trace' starts again")
                }
            },
            Command("inspect", aliases: ["print"], family: "forward", usage: "inspect NAME [ROWS]",
                    summary: "statistics and values of a named tensor (z1, u1, t1, F, grad_z1, encoder.0.weight, ….grad)",
                    example: "inspect u1 2", arity: 1...2, completion: [.tensorName, .none]) { s, args in
                let t = try s.namedTensor(args[0])
                let rows = try args.count > 1 ? args.int(1, "ROWS", in: 0...64) : 3
                s.print(args[0] + ": " + TensorStatistics(t).line)
                if t.rank >= 2 {
                    if t.rank == 2 && t.rows == t.columns && args[0] == "F" {
                        let (values, _) = t.converted(to: Double.self).symmetricEigen()
                        let sorted = values.sorted(by: >)
                        s.print("  eigenvalues (largest first): " + sorted.prefix(8).map { TextFormat.number($0) }.joined(separator: ", ") + (sorted.count > 8 ? ", …" : ""))
                        s.print("  trace \(TextFormat.number(sorted.reduce(0, +)))")
                    }
                    let flat = t.reshaped([t.shape[0], t.count / max(t.shape[0], 1)])
                    for r in 0..<min(rows, flat.rows) {
                        s.print("  row \(r): " + flat.previewRow(r) + "  ‖·‖ \(TextFormat.number(Double(flat.slicingRows(r..<(r + 1)).norm())))")
                    }
                } else {
                    s.print("  " + t.previewRow(0, count: 12))
                }
            },
        ]
    }
}
