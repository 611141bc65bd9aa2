// Elementwise arithmetic. Binary operators need equal shapes; row-vector broadcasting is spelled
// out (`addingRowVector`) so that a shape slip is a precondition failure, not a silent broadcast.

extension Tensor {
    /// Applies `f` to every element.
    @inlinable
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(f))
    }

    /// Combines two tensors of equal shape elementwise.
    @inlinable
    public func zipWith(_ other: Tensor, _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(shape == other.shape, "elementwise op on shapes \(shape) and \(other.shape)")
        var out = scalars
        other.scalars.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<o.count { o[i] = f(o[i], b[i]) }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    @inlinable public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, +) }
    @inlinable public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, -) }
    /// Elementwise (Hadamard) product.
    @inlinable public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, *) }
    @inlinable public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipWith(b, /) }
    @inlinable public static func * (a: Tensor, s: Scalar) -> Tensor { a.map { $0 * s } }
    @inlinable public static func * (s: Scalar, a: Tensor) -> Tensor { a.map { $0 * s } }
    @inlinable public static func / (a: Tensor, s: Scalar) -> Tensor { a.map { $0 / s } }
    @inlinable public static func + (a: Tensor, s: Scalar) -> Tensor { a.map { $0 + s } }
    @inlinable public static func - (a: Tensor, s: Scalar) -> Tensor { a.map { $0 - s } }
    @inlinable public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    @inlinable public static func += (a: inout Tensor, b: Tensor) { a.addScaled(b, by: 1) }
    @inlinable public static func -= (a: inout Tensor, b: Tensor) { a.addScaled(b, by: -1) }
    @inlinable public static func *= (a: inout Tensor, s: Scalar) {
        a.scalars.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= s } }
    }

    /// `self ← self + α·other` (BLAS axpy), in place.
    public mutating func addScaled(_ other: Tensor, by alpha: Scalar) {
        precondition(shape == other.shape, "addScaled on shapes \(shape) and \(other.shape)")
        let n = count
        other.scalars.withUnsafeBufferPointer { x in
            scalars.withUnsafeMutableBufferPointer { y in
                Scalar.axpy(n: n, alpha: alpha, x: x.baseAddress!, y: y.baseAddress!)
            }
        }
    }

    /// Adds a length-`D` vector to every row of an `(N, D)` matrix.
    @inlinable public func addingRowVector(_ v: Tensor) -> Tensor {
        precondition(v.count == columns, "row vector of \(v.count) for matrix \(shape)")
        var out = self
        let c = columns
        out.scalars.withUnsafeMutableBufferPointer { o in
            v.scalars.withUnsafeBufferPointer { b in
                for r in 0..<rows { for j in 0..<c { o[r * c + j] += b[j] } }
            }
        }
        return out
    }

    /// Multiplies row `i` of an `(N, D)` matrix by `s[i]`.
    @inlinable public func scalingRows(_ s: [Scalar]) -> Tensor {
        precondition(s.count == rows, "\(s.count) row scales for matrix \(shape)")
        var out = self
        let c = columns
        out.scalars.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows { for j in 0..<c { o[r * c + j] *= s[r] } }
        }
        return out
    }

    /// Elementwise square.
    @inlinable public func squared() -> Tensor { map { $0 * $0 } }
}
