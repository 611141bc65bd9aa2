// ℓ2 normalisation of rows, the map z ↦ u = z/‖z‖ that every method of the unified framework
// goes through. Forward and backward side by side, same symbols as derivations/unified-form.md.

extension Tensor {
    /// `u = z/‖z‖` row-wise for an `(N, D)` matrix; also returns the norms `‖z‖` (needed by the
    /// backward pass). Norms are clamped below at `1e-12` as in `torch.nn.functional.normalize`.
    @inlinable public func l2NormalizedRowsWithNorms() -> (u: Tensor, norms: [Scalar]) {
        let norms = rowNorms().map { Swift.max($0, Scalar(1e-12)) }
        return (scalingRows(norms.map { 1 / $0 }), norms)
    }

    /// `u = z/‖z‖` row-wise.
    @inlinable public func l2NormalizedRows() -> Tensor { l2NormalizedRowsWithNorms().u }

    /// Backward of row-wise ℓ2 normalisation: `∂L/∂z = (I − u uᵀ)(∂L/∂u) / ‖z‖` per row.
    ///
    /// Any part of `∂L/∂u` parallel to `u` is removed: the tangent projection (paper.md §4, C5).
    @inlinable public static func l2NormalizeBackward(u: Tensor, norms: [Scalar], gradU: Tensor) -> Tensor {
        precondition(u.shape == gradU.shape && u.rows == norms.count,
                     "l2NormalizeBackward: u \(u.shape), gradU \(gradU.shape), \(norms.count) norms")
        let c = u.columns
        var g = gradU
        u.scalars.withUnsafeBufferPointer { up in
            g.scalars.withUnsafeMutableBufferPointer { gp in
                for r in 0..<u.rows {
                    var proj: Scalar = 0
                    for j in 0..<c { proj += up[r * c + j] * gp[r * c + j] }
                    let inv = 1 / norms[r]
                    for j in 0..<c { gp[r * c + j] = (gp[r * c + j] - proj * up[r * c + j]) * inv }
                }
            }
        }
        return g
    }
}

extension Tensor {
    /// Eigen-decomposition of a symmetric matrix `A = U diag(λ) Uᵀ` (LAPACK `?syevd`).
    ///
    /// Returns the eigenvalues in ascending order and `U` with the eigenvectors as *columns*.
    @inlinable public func symmetricEigen() -> (values: [Scalar], vectors: Tensor) {
        precondition(rank == 2 && shape[0] == shape[1], "symmetricEigen needs a square matrix, got \(shape)")
        let n = shape[0]
        var a = scalars
        var w = [Scalar](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in Scalar.symmetricEigen(n: n, a: ap.baseAddress!, w: wp.baseAddress!) }
        }
        precondition(info == 0, "LAPACK ?syevd failed with info \(info)")
        // LAPACK wrote eigenvectors as columns of a column-major matrix = rows of our row-major buffer.
        return (w, Tensor(shape: [n, n], scalars: a).transposed())
    }
}
