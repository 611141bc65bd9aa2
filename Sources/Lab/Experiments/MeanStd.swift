import Foundation

/// The mean and sample standard deviation of a list of values (`n − 1` in the denominator;
/// `std` is nil for a single value): `x̄ = Σxᵢ/n`, `s = √(Σ(xᵢ − x̄)² / (n − 1))`.
public struct MeanStd: Equatable, Sendable {
    public var mean: Double
    public var std: Double?
    public var count: Int

    /// Precondition: `values` is not empty.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "MeanStd needs at least one value")
        count = values.count
        mean = values.reduce(0, +) / Double(count)
        if count > 1 {
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(count - 1)).squareRoot()
        } else {
            std = nil
        }
    }

    /// `81.23 ± 0.45` (or `81.23` for one value), with `decimals` decimals.
    public func formatted(decimals: Int = 2) -> String {
        let m = String(format: "%.\(decimals)f", mean)
        guard let std else { return m }
        return m + " ± " + String(format: "%.\(decimals)f", std)
    }
}
