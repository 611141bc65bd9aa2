extension Tensor {
    /// The matrix product `op(self)·op(other)` through BLAS gemm, where `op` transposes when asked.
    ///
    /// Both operands are viewed as matrices: `(rows, columns)`.
    /// ```swift
    /// let c = a.matmul(b)                         // (M, K)·(K, N) → (M, N)
    /// let g = u.matmul(u, transposeSelf: true)    // uᵀu: (D, N)·(N, D) → (D, D)
    /// ```
    @inlinable public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let (ar, ac) = (rows, columns), (br, bc) = (other.rows, other.columns)
        let m = transposeSelf ? ac : ar, k = transposeSelf ? ar : ac
        let k2 = transposeOther ? bc : br, n = transposeOther ? br : bc
        precondition(k == k2, "matmul of \(shape)\(transposeSelf ? "ᵀ" : "") and \(other.shape)\(transposeOther ? "ᵀ" : ""): inner sizes \(k) ≠ \(k2)")
        var out = [Scalar](repeating: 0, count: m * n)
        if m > 0 && n > 0 && k > 0 {
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { c in
                        Scalar.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                                    alpha: 1, a: a.baseAddress!, lda: ac, b: b.baseAddress!, ldb: bc,
                                    beta: 0, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }

    /// Batched matrix product: `(B, M, K)·(B, K, N) → (B, M, N)`, one gemm per batch entry.
    @inlinable public func batchedMatmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 3 && other.rank == 3 && shape[0] == other.shape[0],
                     "batchedMatmul needs (B, ·, ·) tensors with equal B, got \(shape) and \(other.shape)")
        let batch = shape[0]
        let (ar, ac) = (shape[1], shape[2]), (br, bc) = (other.shape[1], other.shape[2])
        let m = transposeSelf ? ac : ar, k = transposeSelf ? ar : ac
        let k2 = transposeOther ? bc : br, n = transposeOther ? br : bc
        precondition(k == k2, "batchedMatmul of \(shape) and \(other.shape): inner sizes \(k) ≠ \(k2)")
        var out = [Scalar](repeating: 0, count: batch * m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    for i in 0..<batch where m > 0 && n > 0 && k > 0 {
                        Scalar.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                                    alpha: 1, a: a.baseAddress! + i * ar * ac, lda: ac,
                                    b: b.baseAddress! + i * br * bc, ldb: bc,
                                    beta: 0, c: c.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
        return Tensor(shape: [batch, m, n], scalars: out)
    }

    /// The transpose of a matrix.
    @inlinable public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        let (r, c) = (shape[0], shape[1])
        var out = [Scalar](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<r { for j in 0..<c { o[j * r + i] = p[i * c + j] } }
            }
        }
        return Tensor(shape: [c, r], scalars: out)
    }

    /// The diagonal of a square matrix.
    @inlinable public func diagonal() -> [Scalar] {
        precondition(rank == 2 && shape[0] == shape[1], "diagonal() needs a square matrix, got \(shape)")
        return (0..<shape[0]).map { scalars[$0 * shape[0] + $0] }
    }

    /// The trace of a square matrix.
    @inlinable public func trace() -> Scalar { diagonal().reduce(0, +) }
}
