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
    /// exponent `e` of `2^e` CPU cycles, as OpenBLAS read it from `OPENBLAS_THREAD_TIMEOUT`
    /// (0: the variable was unset, OpenBLAS's built-in 28; `nil`: this OpenBLAS has no such setting).
    public static var idleSpinExponent: Int? {
        OpenBLASSymbol<@convention(c) () -> Int32>("openblas_thread_timeout").function.map { Int($0()) }
    }

    /// The spin exponent `limitIdleSpinning()` sets: 2²⁰ cycles, a fraction of a millisecond.
    public static let shortIdleSpinExponent = 20

    /// Lets idle OpenBLAS workers sleep after `2^exponent` cycles instead of OpenBLAS's default
    /// `2^28` (about 0.1 s), unless the user set `OPENBLAS_THREAD_TIMEOUT` themselves.
    ///
    /// Why: a training step alternates multi-threaded gemms with the layers' own parallel loops
    /// (convolution lanes with single-threaded gemms, batch norm over blocks of images). With the
    /// default, the worker of the last multi-threaded gemm keeps polling (`sched_yield`) through
    /// those loops — three busy threads on two cores. On the `small` preset's step (2 cores) this
    /// took the step from ≈ 555 ms to ≈ 500 ms (`unigrad bench --only train`). A short spin still
    /// catches the back-to-back gemms of one layer.
    ///
    /// OpenBLAS reads the variable when it starts its thread pool, at load time: this re-reads
    /// the environment (`openblas_read_env`) and stops the pool (`blas_thread_shutdown_`, the
    /// routine OpenBLAS runs around `fork`); the next multi-threaded call starts it again with the
    /// new timeout. Both are looked up at run time, so an OpenBLAS built without a thread pool
    /// (Debian's serial variant) simply keeps its behaviour. Call once at process start, before
    /// any other thread uses BLAS.
    public static func limitIdleSpinning(exponent: Int = shortIdleSpinExponent) {
        precondition((4...30).contains(exponent), "OpenBLAS thread timeout exponent \(exponent) is outside 4...30")
        guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil,
              let readEnvironment = OpenBLASSymbol<@convention(c) () -> Void>("openblas_read_env").function,
              let shutDownPool = OpenBLASSymbol<@convention(c) () -> Int32>("blas_thread_shutdown_").function
        else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", String(exponent), 1)
        readEnvironment()
        _ = shutDownPool()
    }
}

/// A C function of the loaded OpenBLAS that `cblas.h` does not declare, found by name at run time
/// (`dlsym` over the process's global symbols), or `nil` where this OpenBLAS lacks it.
private struct OpenBLASSymbol<Function> {
    let function: Function?

    init(_ name: String) {
        guard let process = dlopen(nil, RTLD_NOW), let address = dlsym(process, name) else {
            function = nil
            return
        }
        function = unsafeBitCast(address, to: Function.self)
    }
}
