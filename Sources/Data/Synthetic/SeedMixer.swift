/// Derives independent seeds from tuples such as `(seed, epoch, index)`, so that every sample's
/// random stream depends only on those numbers and not on the order or thread in which samples
/// are prepared.
///
/// `mix(a, b, …) = h(…h(h(a) ⊕ b)…)` with `h` the SplitMix64 finaliser (Steele et al., 2014).
public enum SeedMixer {
    /// The SplitMix64 output function applied to `x + golden`.
    @inlinable public static func scramble(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed that depends on every value and their order.
    @inlinable public static func mix(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x5151_C0DE_D00D_F00D
        for v in values { h = scramble(h ^ scramble(v)) }
        return h
    }
}
