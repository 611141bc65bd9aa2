#if canImport(Glibc)
import Glibc
#endif

/// Hands the C heap's free pages back to the system: `malloc_trim(0)` (glibc, `malloc_trim(3)`),
/// which also releases whole free pages in the middle of the heap, not only at its top.
///
/// The numeric commands keep freed memory for reuse (`M_MMAP_MAX = 0`, no automatic trimming:
/// a training step then reuses the pages of its tens-of-megabyte activations). An evaluation
/// allocates far larger, short-lived blocks — a 60 000 × 4096 feature bank is 983 MB — and a
/// later bank that does not fit the hole an earlier one left grows the heap instead, so resident
/// memory ratchets up by a bank per evaluation. Releasing the freed pages once an evaluation's
/// banks are gone keeps the resident size at what is live.
public enum FreedMemory {
    /// Returns the heap's free pages to the system; a no-op off glibc.
    public static func release() {
        #if os(Linux) && canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// `body()`, then `release()` once the values it allocated and dropped are freed.
    public static func releasing<T>(_ body: () throws -> T) rethrows -> T {
        defer { release() }
        return try body()
    }
}

#if os(Linux) && canImport(Glibc)
/// `int malloc_trim(size_t pad)` from glibc's `<malloc.h>` (not in the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
