import Foundation
import TensorCore

extension MethodResult {
    /// The `unigrad grad --json` document (DESIGN.md "Feature-level contract"): keys `method`,
    /// `params`, `loss`, `loss_kind`, `loss_terms` (name → value), `grad_z1`, `grad_z2` (N×D), and
    /// `terms` = `{"view1": …, "view2": …}`, each with `variable`, `scale`, `lambda_is_per_sample`,
    /// `note`, `negatives` (the labels of `V`) and `samples`: for each sample `positive`,
    /// `negative` (= Σ_v s_v v), `lambda` (includes `scale`), `paper_lambda` (= lambda/scale),
    /// `weights` (s_v over `negatives`) and `residual`, with
    /// `positive + lambda·negative + residual = ∂L/∂x`.
    ///
    /// Written by hand (not `JSONSerialization`) so large batches print in milliseconds; numbers
    /// use Swift's shortest round-trip form.
    public func jsonString(parameters: MethodParameters) -> String {
        var out = ""
        out.reserveCapacity(1 << 20)
        out += "{\"method\":"; appendJSONString(name: method, to: &out)
        out += ",\"params\":{"
        for (i, e) in parameters.entries.enumerated() {
            if i > 0 { out += "," }
            appendJSONString(name: e.key, to: &out); out += ":"; appendJSONNumber(e.value, to: &out)
        }
        out += "},\"loss\":"; appendJSONNumber(Double(loss), to: &out)
        out += ",\"loss_kind\":\"\(lossKind.rawValue)\",\"loss_terms\":{"
        for (i, t) in terms.enumerated() {
            if i > 0 { out += "," }
            appendJSONString(name: t.name, to: &out); out += ":"; appendJSONNumber(Double(t.value), to: &out)
        }
        out += "},\"grad_z1\":"; appendJSONMatrix(gradZ1, to: &out)
        out += ",\"grad_z2\":"; appendJSONMatrix(gradZ2, to: &out)
        out += ",\"terms\":{"
        for (k, v) in views.enumerated() {
            if k > 0 { out += "," }
            out += "\"view\(v.view)\":{\"variable\":\"\(v.variable.rawValue)\",\"scale\":"
            appendJSONNumber(Double(v.scale), to: &out)
            out += ",\"lambda_is_per_sample\":\(v.lambdaIsPerSample),\"note\":"
            appendJSONString(name: v.note, to: &out)
            out += ",\"negatives\":["
            for (i, l) in v.negativeSet.labels.enumerated() {
                if i > 0 { out += "," }
                appendJSONString(name: l, to: &out)
            }
            out += "],\"samples\":["
            let d = v.gradient.columns, m = v.negativeSet.count
            for b in 0..<v.gradient.rows {
                if b > 0 { out += "," }
                out += "{\"positive\":"; appendJSONRow(v.positive.scalars, b * d, d, to: &out)
                out += ",\"negative\":"; appendJSONRow(v.negative.scalars, b * d, d, to: &out)
                out += ",\"lambda\":"; appendJSONNumber(Double(v.lambda[b]), to: &out)
                out += ",\"paper_lambda\":"; appendJSONNumber(Double(v.lambda[b] / v.scale), to: &out)
                out += ",\"weights\":"; appendJSONRow(v.weights.scalars, b * m, m, to: &out)
                out += ",\"residual\":"; appendJSONRow(v.residual.scalars, b * d, d, to: &out)
                out += "}"
            }
            out += "]}"
        }
        out += "}}"
        return out
    }
}

func appendJSONNumber(_ x: Double, to out: inout String) {
    // JSON has no NaN/Inf; results are finite for validated input, but never emit invalid JSON.
    out += x.isFinite ? x.description : "null"
}

func appendJSONRow<S: BLASScalar>(_ s: [S], _ start: Int, _ count: Int, to out: inout String) {
    out += "["
    for j in 0..<count {
        if j > 0 { out += "," }
        appendJSONNumber(Double(s[start + j]), to: &out)
    }
    out += "]"
}

func appendJSONMatrix<S: BLASScalar>(_ t: Tensor<S>, to out: inout String) {
    out += "["
    let c = t.columns
    for r in 0..<t.rows {
        if r > 0 { out += "," }
        appendJSONRow(t.scalars, r * c, c, to: &out)
    }
    out += "]"
}

func appendJSONString(name s: String, to out: inout String) {
    out += "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
        }
    }
    out += "\""
}
