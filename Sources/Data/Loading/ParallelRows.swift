import Foundation

/// Runs independent pieces of work `0..<count` on `workers` threads (0: all cores), each index
/// exactly once; the results must depend on the index only, so any schedule gives the same output.
public enum ParallelRows {
    /// The number of worker threads for a `workers` setting (0: the active processor count).
    public static func resolvedWorkers(_ workers: Int) -> Int {
        workers > 0 ? workers : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Calls `body(i)` for every `i` in `0..<count`, on up to `workers` threads.
    public static func run(count: Int, workers: Int, _ body: (Int) -> Void) {
        let threads = min(resolvedWorkers(workers), count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var i = t
                while i < count {
                    box.value(i)
                    i += threads
                }
            }
        }
    }
}

/// A value passed across threads whose safety the caller guarantees (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A buffer whose disjoint ranges are written from several threads.
struct UnsafeMutableSendablePointer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    init(_ buffer: UnsafeMutableBufferPointer<Float>) { self.buffer = buffer }
}
