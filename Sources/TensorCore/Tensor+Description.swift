extension Tensor: CustomStringConvertible {
    /// Shape, then a truncated view of the values: at most `edge` leading and trailing entries per
    /// dimension, elided with `…`.
    @inlinable public func formatted(edge: Int = 3, precision: Int = 4) -> String {
        func fmt(_ x: Scalar) -> String { formatScalar(Double(x), precision: precision) }
        func render(_ dims: ArraySlice<Int>, offset: Int, indent: String) -> String {
            guard let n = dims.first else { return fmt(scalars[offset]) }
            let stride = dims.dropFirst().reduce(1, *)
            let idx: [Int?] = n > 2 * edge ? Array(0..<edge) + [nil] + Array((n - edge)..<n) : Array(0..<n)
            let parts = idx.map { i -> String in
                guard let i else { return "…" }
                return render(dims.dropFirst(), offset: offset + i * stride, indent: indent + " ")
            }
            if dims.count == 1 { return "[" + parts.joined(separator: ", ") + "]" }
            return "[" + parts.joined(separator: ",\n" + indent + " ") + "]"
        }
        let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let typeName = Scalar.self == Float.self ? "Float" : "Double"
        if count == 0 { return "Tensor<\(typeName)> \(shapeText) []" }
        return "Tensor<\(typeName)> \(shapeText)\n" + render(shape[...], offset: 0, indent: "")
    }

    @inlinable public var description: String { formatted() }
}

/// Formats a number compactly: fixed point for moderate magnitudes, scientific otherwise.
@inlinable public func formatScalar(_ x: Double, precision: Int = 4) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    let a = abs(x)
    if a != 0 && (a < 1e-3 || a >= 1e5) {
        return String(format: "%.\(precision - 1)e", x)
    }
    return String(format: "%.\(precision)f", x)
}

import Foundation
