import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Threads OpenBLAS may use (all cores by default). Training with data-loading threads may lower it.
public enum BLASThreads {
    /// Sets the number of OpenBLAS threads.
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
    /// The number of OpenBLAS threads in use.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// How long an idle OpenBLAS worker thread polls for its next job before it sleeps, as the
    /// exponent `e` of `2^e` CPU cycles (`OPENBLAS_THREAD_TIMEOUT`; OpenBLAS's default is 28).
    public static var idleSpinExponent: Int { Int(openblas_thread_timeout()) }

    /// The spin exponent `limitIdleSpinning()` sets: 2²⁰ cycles, a fraction of a millisecond.
    public static let shortIdleSpinExponent = 20

    /// Lets idle OpenBLAS workers sleep after `2^exponent` cycles instead of OpenBLAS's default
    /// `2^28` (about 0.1 s), unless the user set `OPENBLAS_THREAD_TIMEOUT` themselves.
    ///
    /// Why: a training step alternates multi-threaded gemms with the layers' own parallel loops
    /// (convolution lanes with single-threaded gemms, batch norm over blocks of images). With the default,
    /// the worker of the last multi-threaded gemm keeps polling (`sched_yield`) through those
    /// loops — three busy threads on two cores. On the `small` preset's step (2 cores) this took
    /// the step from ≈ 555 ms to ≈ 500 ms (`unigrad bench --only train`). A short spin still
    /// catches the back-to-back gemms of one layer.
    ///
    /// OpenBLAS reads the variable when it starts its thread pool, at load time: this re-reads
    /// the environment (`openblas_read_env`) and stops the pool (`blas_thread_shutdown_`, the
    /// routine OpenBLAS runs around `fork`); the next multi-threaded call starts it again with the
    /// new timeout. Call once at process start, before any other thread uses BLAS.
    public static func limitIdleSpinning(exponent: Int = shortIdleSpinExponent) {
        precondition((4...30).contains(exponent), "OpenBLAS thread timeout exponent \(exponent) is outside 4...30")
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", String(exponent), 1)
        openblas_read_env()
        _ = blas_thread_shutdown_()
    }
}
