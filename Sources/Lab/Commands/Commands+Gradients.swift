import Foundation
import TensorCore
import Methods
import SSL

extension Commands {
    /// The decomposed gradient of the current method, and all methods side by side.
    static func gradientCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("grad", aliases: ["g"], family: "gradients", usage: "grad [SAMPLE] [VIEW]",
                    summary: "the current method's loss, its terms and its gradient split into positive and negative parts",
                    details: """
                        ∂L/∂u_b = positive_b + λ_b Σ_v s_{b,v} v + residual_b (paper, unified form). For the chosen
                        sample (default 0) and view (1 or 2) it prints each part's norm and first values, λ, the
                        angle between the positive and negative parts and the largest weights s_v with the batch
                        samples (and labels) they come from.
                        """,
                    example: "grad 3", arity: 0...2) { s, args in
                let gradStart = Date()
                let a = try s.analyzeBatch()
                let t = try s.ensureTrainer()
                let b = try s.requireBatch()
                let d = try s.ensureData()
                let sample = try args.isEmpty ? 0 : args.int(0, "sample", in: 0...(b.count - 1))
                let view = try args.count > 1 ? args.int(1, "view", in: 1...2) : 1
                let r = a.result
                let fb = FeatureBatch(outputs: a.outputs, trainer: t, labels: b.labels, classNames: d.train.classNames)
                s.print("method \(r.method)  target \(s.config.target.rawValue)  batch \(b.count) × D \(a.outputs.z1.columns)  step \(t.step)  (\((try? s.config.resolvedMethodParameters()).map { "\($0)" } ?? ""))")
                s.print("\(r.lossKind == .loss ? "loss" : "surrogate value (not a loss)") = \(TextFormat.number(Double(r.loss), digits: 6))")
                for term in r.terms { s.print("  \(TextFormat.pad(term.name, 22)) \(TextFormat.lpad(TextFormat.number(Double(term.value), digits: 6), 12))   [\(term.formula)]") }
                s.print("‖∂L/∂z1‖ = \(TextFormat.number(Double(r.gradZ1.norm())))   ‖∂L/∂z2‖ = \(TextFormat.number(Double(r.gradZ2.norm())))")
                guard view - 1 < r.views.count else {
                    s.print("(this method has no unified decomposition)")
                    return
                }
                let v = r.views[view - 1]
                let sum = v.summary()
                let x = v.variable.rawValue
                s.print(s.bold("view \(view): ∂L/∂\(x)\(view) = positive + λ·Σ_v s_v v + residual") + "   (|V| = \(v.negativeSet.count), λ \(v.lambdaIsPerSample ? "per sample" : "scalar"), scale \(TextFormat.number(Double(v.scale))))")
                s.print("  " + v.note)
                s.print("  batch means: ‖positive‖ \(TextFormat.number(sum.meanPositiveNorm))  ‖λ·negative‖ \(TextFormat.number(sum.meanNegativeNorm))"
                        + "  ratio \(TextFormat.number(sum.meanNegativeNorm / max(sum.meanPositiveNorm, 1e-30)))  ‖residual‖ \(TextFormat.number(sum.meanResidualNorm))")
                s.print("  λ (paper units) \(TextFormat.number(sum.meanPaperLambda))  cos(positive, negative) \(TextFormat.number(sum.meanCosine))  reconstruction error \(TextFormat.number(sum.reconstructionError, digits: 2))")
                let i = sample
                func rowNorm(_ m: Tensor<Float>) -> String { TextFormat.number(Double(m.slicingRows(i..<(i + 1)).norm())) }
                let lam = Double(v.lambda[i])
                s.print(s.bold("sample \(i) (\(d.train.classNames[b.labels[i]])), view \(view):"))
                s.print("  positive        ‖·‖ \(TextFormat.pad(rowNorm(v.positive), 10)) \(v.positive.previewRow(i, count: 6))")
                s.print("  negative Σ s_v v ‖·‖ \(TextFormat.pad(rowNorm(v.negative), 9)) \(v.negative.previewRow(i, count: 6))")
                s.print("  λ               \(TextFormat.number(lam))  (paper units \(TextFormat.number(Double(v.paperLambda[i]))))")
                s.print("  λ·negative      ‖·‖ \(TextFormat.number(abs(lam) * Double(v.negative.slicingRows(i..<(i + 1)).norm())))")
                s.print("  residual        ‖·‖ \(rowNorm(v.residual))")
                s.print("  ∂L/∂\(x)\(view)          ‖·‖ \(rowNorm(v.gradient))")
                let c = v.cosine(sample: i)
                s.print("  angle(positive, negative) \(String(format: "%.1f", acos(max(-1, min(1, c))) * 180 / .pi))°  (cos \(TextFormat.number(c)))")
                let top = v.topWeights(sample: i, count: 5)
                if top.isEmpty {
                    s.print("  no negative set")
                } else {
                    s.print("  top weights s_v:")
                    for w in top { s.print("    \(TextFormat.lpad(TextFormat.number(Double(w.weight)), 11))  \(fb.annotate(w.label))") }
                }
                s.print("(forward, method and decomposition in \(String(format: "%.0f", Date().timeIntervalSince(gradStart) * 1000)) ms)")
            },
            Command("compare", aliases: ["all"], family: "gradients", usage: "compare",
                    summary: "every method on the same batch: loss, cosine with UniGrad's gradient, ‖λ·negative‖/‖positive‖, effective λ",
                    details: """
                        Each method in Double on this batch's features and targets with its default hyper-parameters
                        (the current method with yours). cos = cosine of the whole ∂L/∂[z1; z2] with UniGrad's; the
                        paper's claim is that the methods' gradients share one form, so these cosines are high.
                        """,
                    example: "compare") { s, _ in
                let a = try s.analyzeBatch()
                let t = try s.ensureTrainer()
                let b = try s.requireBatch()
                let d = try s.ensureData()
                let start = Date()
                let cpuStart = clock()
                let fb = FeatureBatch(outputs: a.outputs, trainer: t, labels: b.labels, classNames: d.train.classNames)
                var methods: [any SSLMethod<Double>] = []
                for desc in MethodCatalog.all {
                    let params: MethodParameters
                    if desc.name == s.config.method {
                        params = try (try? s.config.resolvedMethodParameters()) ?? MethodCatalog.parameters(for: desc.name)
                    } else {
                        params = try MethodCatalog.parameters(for: desc.name)
                    }
                    methods.append(try MethodCatalog.make(desc.name, Double.self, parameters: params))
                }
                let methodList = methods
                // The methods are independent: evaluate them on all cores.
                let results = ParallelResults<(MethodResult<Double>, Double)>(count: methods.count)
                DispatchQueue.concurrentPerform(iterations: methodList.count) { i in
                    let t0 = Date()
                    let r = fb.evaluate(methodList[i])
                    results.set(i, (r, Date().timeIntervalSince(t0) * 1000))
                }
                var rows: [(MethodDescriptor, MethodResult<Double>)] = []
                var milliseconds: [String: Double] = [:]
                for (i, desc) in MethodCatalog.all.enumerated() {
                    guard let (r, ms) = results.value(i) else { continue }
                    rows.append((desc, r))
                    milliseconds[desc.name] = ms
                }
                guard let reference = rows.first(where: { $0.0.name == "unigrad" })?.1 else { throw LabError("unigrad is missing from the catalogue") }
                let ref = Tensor.concatenatingRows([reference.gradZ1, reference.gradZ2])
                func parts(_ r: MethodResult<Double>) -> (Tensor<Double>, Tensor<Double>)? {
                    guard r.views.count == 2 else { return nil }
                    return (Tensor.concatenatingRows(r.views.map(\.positive)),
                            Tensor.concatenatingRows(r.views.map { $0.negative.scalingRows($0.lambda) }))
                }
                func cosine(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double { a.dot(b) / max(a.norm() * b.norm(), 1e-300) }
                let refParts = parts(reference)
                s.print("all methods on batch #\(s.state.batchesDrawn) (N \(b.count), D \(a.outputs.z1.columns)), target \(s.config.target.rawValue), step \(t.step)")
                s.print(TextFormat.pad("method", 17) + TextFormat.pad("row", 5) + TextFormat.pad("value", 10) + TextFormat.lpad("loss", 11)
                        + TextFormat.lpad("cos(∇,∇ug)", 12) + TextFormat.lpad("cos(pos)", 10) + TextFormat.lpad("cos(λneg)", 11) + TextFormat.lpad("‖λneg‖/‖pos‖", 14) + TextFormat.lpad("λ (paper)", 11)
                        + TextFormat.lpad("‖res‖/‖∇‖", 11) + TextFormat.lpad("|V|", 6) + TextFormat.lpad("ms", 7))
                for (desc, r) in rows {
                    let g = Tensor.concatenatingRows([r.gradZ1, r.gradZ2])
                    let cos = cosine(g, ref)
                    var cosPos = "–", cosNeg = "–"
                    if let (p, q) = parts(r), let (rp, rq) = refParts, p.shape == rp.shape {
                        cosPos = String(format: "%.4f", cosine(p, rp))
                        cosNeg = String(format: "%.4f", cosine(q, rq))
                    }
                    let views = r.views.map { $0.summary() }
                    let n = Double(max(views.count, 1))
                    let ratio = views.map { $0.meanNegativeNorm / max($0.meanPositiveNorm, 1e-300) }.reduce(0, +) / n
                    let lambda = views.map(\.meanPaperLambda).reduce(0, +) / n
                    let residual = views.map { $0.meanResidualNorm / max($0.meanGradientNorm, 1e-300) }.reduce(0, +) / n
                    let mark = desc.name == s.config.method ? "*" : " "
                    s.print(TextFormat.pad(mark + desc.name, 17) + TextFormat.pad(desc.tableRow, 5)
                            + TextFormat.pad(r.lossKind == .loss ? "loss" : "surrogate", 10)
                            + TextFormat.lpad(TextFormat.number(r.loss), 11) + TextFormat.lpad(String(format: "%.4f", cos), 12) + TextFormat.lpad(cosPos, 10) + TextFormat.lpad(cosNeg, 11)
                            + TextFormat.lpad(TextFormat.number(ratio), 14) + TextFormat.lpad(TextFormat.number(lambda), 11)
                            + TextFormat.lpad(TextFormat.number(residual, digits: 2), 11)
                            + TextFormat.lpad(String(r.views.first?.negativeSet.count ?? 0), 6)
                            + TextFormat.lpad(String(format: "%.1f", milliseconds[desc.name] ?? 0), 7))
                }
                s.print("(\(rows.count) methods in \(String(format: "%.0f", Date().timeIntervalSince(start) * 1000)) ms, \(String(format: "%.0f", Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC) * 1000)) ms CPU; cos: cosine with UniGrad's whole gradient, its positive part and its λ·negative part; λ: mean λ_b/scale)")
            },
        ]
    }
}
