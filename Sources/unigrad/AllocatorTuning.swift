/// Process-wide settings of the C allocator for the numeric commands (`train`, `run`, `bench`).
///
/// A training step allocates and frees tensors of tens of megabytes (an activation of the `small`
/// preset is `2·128 × 32 × 28 × 28` floats = 26 MB). glibc serves blocks that large with `mmap`
/// and returns them with `munmap`, so every step pays page faults and the kernel's zeroing of
/// fresh pages (`clear_page_erms` in `perf`). Serving them from the heap (`M_MMAP_MAX = 0`) and
/// never trimming it (`M_TRIM_THRESHOLD`) lets the next step reuse the same, already mapped pages.
/// The cost: freed memory stays in the process; the evaluations, whose feature banks are far
/// larger than a step's tensors, hand theirs back with `FreedMemory.release()` (`malloc_trim`).
/// Reference: `mallopt(3)`.
enum AllocatorTuning {
    /// Keeps freed memory in the process for reuse; a no-op off glibc. Call once, early.
    static func keepFreedMemory() {
        #if os(Linux) && canImport(Glibc)
        // <malloc.h> is not in the Glibc module: M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4.
        _ = glibcMallopt(-4, 0)
        _ = glibcMallopt(-1, Int32.max)
        #endif
    }
}

#if os(Linux) && canImport(Glibc)
/// `int mallopt(int param, int value)` from glibc's `<malloc.h>`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
