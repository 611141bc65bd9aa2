import CBLAS
import RealModule

/// A floating-point scalar that OpenBLAS can multiply: `Float` (sgemm) or `Double` (dgemm).
///
/// Numeric code in UniGrad Lab is written once, generic over this protocol; the two conformances
/// below are the only place in the project that names `cblas_*`.
public protocol BLASScalar: Real, BinaryFloatingPoint, Codable, Sendable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// `C ← α·op(A)·op(B) + β·C`, row-major, where `op(X)` is `Xᵀ` when the flag is set.
    ///
    /// - Parameters: `m×k` = shape of `op(A)`, `k×n` = shape of `op(B)`; `lda`, `ldb`, `ldc` are
    ///   the row strides of the stored (untransposed) matrices.
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y ← α·x + y` over `n` contiguous elements.
    static func axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    /// `Σ xᵢ·yᵢ` over `n` contiguous elements.
    static func dot(n: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self

    /// Eigen-decomposition of a symmetric `n×n` matrix (LAPACK `?syevd`): on return `a` holds the
    /// eigenvectors as *rows* (row-major view of LAPACK's column-major result) and `w` the
    /// eigenvalues in ascending order. Returns LAPACK's `info` (0 on success).
    static func symmetricEigen(n: Int, a: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>) -> Int
}

extension Float: BLASScalar {
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inlinable
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    @inlinable
    public static func dot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(n), x, 1, y, 1)
    }

    public static func symmetricEigen(n: Int, a: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>) -> Int {
        var n32 = Int32(n), info: Int32 = 0
        var workSize: Float = 0, iworkSize: Int32 = 0, query: Int32 = -1
        ssyevd_("V", "U", &n32, a, &n32, w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_("V", "U", &n32, a, &n32, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return Int(info)
    }
}

extension Double: BLASScalar {
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    @inlinable
    public static func axpy(n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(Int32(n), alpha, x, 1, y, 1)
    }

    @inlinable
    public static func dot(n: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(Int32(n), x, 1, y, 1)
    }

    public static func symmetricEigen(n: Int, a: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>) -> Int {
        var n32 = Int32(n), info: Int32 = 0
        var workSize: Double = 0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevd_("V", "U", &n32, a, &n32, w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        guard info == 0 else { return Int(info) }
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_("V", "U", &n32, a, &n32, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return Int(info)
    }
}
