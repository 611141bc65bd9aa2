import Dispatch

/// A value that crosses a concurrency boundary without a `Sendable` check.
///
/// Used only by `parallelFor`, whose iterations touch disjoint memory by construction.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
}

/// Runs `body(i)` for `i` in `0..<count` on all cores (`DispatchQueue.concurrentPerform`), or
/// serially when `count` is 1 or the work is `small`.
///
/// The caller guarantees that different iterations write disjoint memory.
@inline(__always)
func parallelFor(_ count: Int, serial: Bool = false, _ body: (Int) -> Void) {
    if count <= 1 || serial {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendable(value: escaping)
        DispatchQueue.concurrentPerform(iterations: count) { i in box.value(i) }
    }
}
