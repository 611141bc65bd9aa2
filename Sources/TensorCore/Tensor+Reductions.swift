import RealModule

extension Tensor {
    /// The sum of all elements (accumulated in `Double`).
    @inlinable public func sum() -> Scalar {
        var s = 0.0
        for x in scalars { s += Double(x) }
        return Scalar(s)
    }

    /// The mean of all elements.
    @inlinable public func mean() -> Scalar { count == 0 ? 0 : Scalar(Double(sum()) / Double(count)) }

    /// The largest element.
    @inlinable public func max() -> Scalar { scalars.max() ?? 0 }

    /// The smallest element.
    @inlinable public func min() -> Scalar { scalars.min() ?? 0 }

    /// Column sums of an `(N, D)` matrix: a length-`D` vector.
    @inlinable public func sumRows() -> Tensor {
        let c = columns
        var out = [Scalar](repeating: 0, count: c)
        scalars.withUnsafeBufferPointer { p in
            for r in 0..<rows { for j in 0..<c { out[j] += p[r * c + j] } }
        }
        return Tensor(shape: [c], scalars: out)
    }

    /// Column means of an `(N, D)` matrix.
    @inlinable public func meanRows() -> Tensor { sumRows() / Scalar(Swift.max(rows, 1)) }

    /// Row sums of an `(N, D)` matrix: a length-`N` vector.
    @inlinable public func sumColumns() -> Tensor {
        let c = columns
        return Tensor(shape: [rows], scalars: (0..<rows).map { r in
            var s: Scalar = 0
            for j in 0..<c { s += scalars[r * c + j] }
            return s
        })
    }

    /// `Σ xᵢ²`.
    @inlinable public func squaredNorm() -> Scalar {
        scalars.withUnsafeBufferPointer { Scalar.dot(n: count, x: $0.baseAddress!, y: $0.baseAddress!) }
    }

    /// The Frobenius (ℓ2) norm of all elements.
    @inlinable public func norm() -> Scalar { squaredNorm().squareRoot() }

    /// `Σ aᵢ·bᵢ` over all elements of two equal-shape tensors.
    @inlinable public func dot(_ other: Tensor) -> Scalar {
        precondition(shape == other.shape, "dot of shapes \(shape) and \(other.shape)")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Scalar.dot(n: count, x: a.baseAddress!, y: b.baseAddress!)
            }
        }
    }

    /// The ℓ2 norm of each row of an `(N, D)` matrix.
    @inlinable public func rowNorms() -> [Scalar] {
        let c = columns
        return (0..<rows).map { r in
            var s: Scalar = 0
            for j in 0..<c { let x = scalars[r * c + j]; s += x * x }
            return s.squareRoot()
        }
    }

    /// The largest absolute element.
    @inlinable public func maxAbs() -> Scalar { scalars.reduce(0) { Swift.max($0, Swift.abs($1)) } }
}
