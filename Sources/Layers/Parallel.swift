import Dispatch
import Foundation
import TensorCore

/// A value that crosses a concurrency boundary without a `Sendable` check.
///
/// Used only by `parallelFor`, whose iterations touch disjoint memory by construction.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}

/// Whether the layers' own loops (im2col, col2im, transpositions, batch norm, pooling) run on
/// all cores, and how a convolution splits its batch.
///
/// Off by default. When on, `Conv2d` runs its `lanes` lanes of image chunks concurrently, each
/// with single-threaded gemms (OpenBLAS is set to one thread for the duration of the layer's
/// call, so its worker threads neither compete with the lanes nor spin), and batch norm runs
/// its channels concurrently. Results are bitwise the same either way: the lanes, and with
/// them the partial sums of the weight gradient, do not depend on the setting.
/// Set it once, before any forward pass (`unigrad bench --parallel-kernels`).
public enum KernelThreading {
    /// Run the layers' loops with `DispatchQueue.concurrentPerform`.
    nonisolated(unsafe) public static var isParallel = false

    /// How many lanes a convolution deals its chunks of images to (lane `l` takes chunks `l`,
    /// `l + lanes`, …, and sums its own partial `∂L/∂W`): the machine's core count by default.
    /// Part of the arithmetic (the order of the weight-gradient sums), not only of the speed.
    nonisolated(unsafe) public static var lanes = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Turns the layers' loops on all cores exactly when BLAS may use more than one thread: the
    /// command line's default (off under MPI with one BLAS thread per rank). Measured with
    /// `unigrad bench` on 2 cores, `small` preset: conv layers 0.56–0.62 of sgemm with, 0.38–0.54
    /// without; training step 248–299 images/s with, 182–268 without.
    public static func followBLASThreads() {
        isParallel = BLASThreads.count > 1
    }
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

/// Runs `body` with OpenBLAS on one thread when `active` (restoring the previous count after):
/// for gemms issued concurrently from several `parallelFor` iterations.
@inline(__always)
func withSingleThreadedBLAS<R>(_ active: Bool, _ body: () -> R) -> R {
    guard active else { return body() }
    let previous = BLASThreads.count
    if previous != 1 { BLASThreads.set(1) }
    defer { if previous != 1 { BLASThreads.set(previous) } }
    return body()
}
