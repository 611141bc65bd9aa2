/// Why a training run stopped or could not start: printed as one line.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A loss term became NaN or ±∞ at `step`.
    case nonFiniteLoss(step: Int, term: String, value: String)
    /// A configuration that cannot run (e.g. a method that needs a predictor without one).
    case invalidConfiguration(String)
    /// The data could not be loaded.
    case data(String)
    /// A checkpoint could not be written or read.
    case checkpoint(String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let term, let value):
            return "training stopped at step \(step): loss term '\(term)' is \(value) (try a lower learning rate or λ)"
        case .invalidConfiguration(let m): return m
        case .data(let m): return m
        case .checkpoint(let m): return m
        }
    }
}
