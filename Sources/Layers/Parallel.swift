import Dispatch

/// A value that crosses a concurrency boundary without a `Sendable` check.
///
/// Used only by `parallelFor`, whose iterations touch disjoint memory by construction.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}

/// Whether the layers' own loops (im2col, col2im, transpositions, batch norm, pooling) run on
/// all cores. OpenBLAS parallelises every gemm regardless.
///
/// Off by default: on a 2-core machine, OpenBLAS's worker threads keep spinning for a while after
/// each gemm, and loops spread over Dispatch threads then compete with them; `unigrad bench`
/// measured the conv layers at 0.57 of sgemm serial against 0.53 parallel (mean of 7 alternating
/// runs each, on a loaded 2-core machine). Set it once, before any forward pass, to compare on
/// other machines (`unigrad bench --parallel-kernels`).
public enum KernelThreading {
    /// Run the layers' loops with `DispatchQueue.concurrentPerform`.
    nonisolated(unsafe) public static var isParallel = false
}

/// Runs `body(i)` for `i` in `0..<count`, on all cores (`DispatchQueue.concurrentPerform`) when
/// `KernelThreading.isParallel` is set, and serially when it is not, when `count` is 1 or when the
/// work is small (`serial`).
///
/// The caller guarantees that different iterations write disjoint memory.
@inline(__always)
func parallelFor(_ count: Int, serial: Bool = false, _ body: (Int) -> Void) {
    if count <= 1 || serial || !KernelThreading.isParallel {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendable(value: escaping)
        DispatchQueue.concurrentPerform(iterations: count) { i in box.value(i) }
    }
}
