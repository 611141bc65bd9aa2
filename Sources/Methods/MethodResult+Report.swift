import TensorCore

extension ViewDecomposition {
    /// Summary statistics of the decomposition over the batch.
    public struct Summary: Sendable {
        /// Mean `‖positive_b‖`, `‖λ_b negative_b‖`, `‖residual_b‖`, `‖∂L/∂x_b‖`.
        public var meanPositiveNorm, meanNegativeNorm, meanResidualNorm, meanGradientNorm: Double
        /// Mean `λ_b/scale` (paper units).
        public var meanPaperLambda: Double
        /// Mean `cos(positive_b, negative_b)`.
        public var meanCosine: Double
        /// `max |positive + λ·negative + residual − ∂L/∂x|`.
        public var reconstructionError: Double
    }

    /// `cos(positive_b, negative_b)` (0 when either is zero).
    public func cosine(sample b: Int) -> Double {
        let p = positive.row(b).map(Double.init), q = negative.row(b).map(Double.init)
        let pq = zip(p, q).reduce(0) { $0 + $1.0 * $1.1 }
        let np = p.reduce(0) { $0 + $1 * $1 }.squareRoot(), nq = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return np > 0 && nq > 0 ? pq / (np * nq) : 0
    }

    /// The summary over all samples.
    public func summary() -> Summary {
        let n = Double(gradient.rows)
        let pn = positive.rowNorms(), nn = negative.rowNorms(), rn = residual.rowNorms(), gn = gradient.rowNorms()
        func mean(_ a: [Scalar]) -> Double { a.reduce(0.0) { $0 + Double($1) } / n }
        return Summary(meanPositiveNorm: mean(pn),
                       meanNegativeNorm: zip(nn, lambda).reduce(0.0) { $0 + Double(Swift.abs($1.1) * $1.0) } / n,
                       meanResidualNorm: mean(rn), meanGradientNorm: mean(gn), meanPaperLambda: mean(paperLambda),
                       meanCosine: (0..<gradient.rows).reduce(0.0) { $0 + cosine(sample: $1) } / n,
                       reconstructionError: Double(reconstructionError()))
    }

    /// The `k` largest weights `|s_{b,v}|` of sample `b` with their labels.
    public func topWeights(sample b: Int, count k: Int = 3) -> [(label: String, weight: Scalar)] {
        let m = negativeSet.count
        guard m > 0 else { return [] }
        let row = Array(weights.scalars[(b * m)..<((b + 1) * m)])
        return row.indices.sorted { Swift.abs(row[$0]) > Swift.abs(row[$1]) }.prefix(k).map { (negativeSet.labels[$0], row[$0]) }
    }
}

extension MethodResult {
    /// A readable report: loss and named terms, gradient norms, per-view summary and the first
    /// `samples` samples' decomposition (norms, λ, top weights, cos(positive, negative), residual).
    public func report(parameters: MethodParameters, samples: Int = 3) -> String {
        func f(_ x: Double) -> String { formatScalar(x, precision: 5) }
        var lines: [String] = []
        lines.append("method \(method)  params: \(parameters)")
        lines.append("\(lossKind == .loss ? "loss" : "surrogate value (not a loss)") = \(f(Double(loss)))")
        for t in terms { lines.append("  \(t.name) = \(f(Double(t.value)))   [\(t.formula)]") }
        lines.append("‖∂L/∂z1‖ = \(f(Double(gradZ1.norm())))   ‖∂L/∂z2‖ = \(f(Double(gradZ2.norm())))")
        for v in views {
            let s = v.summary()
            lines.append("")
            lines.append("view \(v.view): ∂L/∂\(v.variable.rawValue)\(v.view) = positive + λ·Σ_v s_v v + residual   (scale \(f(Double(v.scale))), |V| = \(v.negativeSet.count), λ \(v.lambdaIsPerSample ? "per sample" : "scalar"))")
            lines.append("  \(v.note)")
            lines.append("  mean ‖positive‖ \(f(s.meanPositiveNorm))  mean ‖λ·negative‖ \(f(s.meanNegativeNorm))  mean ‖residual‖ \(f(s.meanResidualNorm))  mean ‖∂L/∂\(v.variable.rawValue)‖ \(f(s.meanGradientNorm))")
            lines.append("  mean λ/scale \(f(s.meanPaperLambda))  mean cos(positive, negative) \(f(s.meanCosine))  max reconstruction error \(formatScalar(s.reconstructionError, precision: 2))")
            for b in 0..<Swift.min(samples, v.gradient.rows) {
                let top = v.topWeights(sample: b).map { "\($0.label): \(f(Double($0.weight)))" }.joined(separator: ", ")
                lines.append("  sample \(b): ‖pos‖ \(f(Double(v.positive.slicingRows(b..<(b + 1)).norm())))"
                             + "  λ/scale \(f(Double(v.paperLambda[b])))  ‖neg‖ \(f(Double(v.negative.slicingRows(b..<(b + 1)).norm())))"
                             + "  cos \(f(v.cosine(sample: b)))  ‖residual‖ \(f(Double(v.residual.slicingRows(b..<(b + 1)).norm())))")
                if !top.isEmpty { lines.append("    top weights: \(top)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
