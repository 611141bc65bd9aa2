import Foundation

/// One point of a run's training curves (what `figure2` plots).
public struct CurvePoint: Codable, Equatable, Sendable {
    /// Steps done.
    public var step: Int
    /// Epochs done (fractional).
    public var epoch: Double
    /// Mean loss (or surrogate) and positive similarity over the steps since the previous point.
    public var loss: Double
    public var positiveSimilarity: Double
    /// kNN top-1 (%) on the reduced bank, and the effective rank of those test features.
    public var knnTop1: Double
    public var effectiveRank: Double

    enum CodingKeys: String, CodingKey {
        case step, epoch, loss
        case positiveSimilarity = "pos_sim"
        case knnTop1 = "knn_top1"
        case effectiveRank = "effective_rank"
    }
}

/// The outcome of one finished run of an experiment, written to `OUT/runs/<row>-seed<k>/result.json`
/// when the run ends; the tables are made from these files only.
public struct ExperimentRunResult: Codable, Equatable, Sendable {
    public var row: String
    /// The seed index `k` and the training seed used (`baseSeed + k`).
    public var seedIndex: Int
    public var seed: UInt64
    public var method: String
    public var target: String
    /// The method's hyper-parameters as used (`lambda=10, rho=0.99`).
    public var parameters: String
    /// The peak learning rate (`lr · batch / 256`).
    public var learningRate: Double
    public var knnTop1: Double
    public var linearTop1: Double
    public var effectiveRank: Double
    public var featureStd: Double
    /// Mean loss and positive similarity over the last epoch.
    public var finalLoss: Double
    public var finalPositiveSimilarity: Double
    public var steps: Int
    /// Wall time of training and evaluation, summed over sessions if the run was resumed.
    public var seconds: Double
    public var curve: [CurvePoint]
    /// Why the run ended early (a non-finite loss), or nil for a run that finished; a failed run's
    /// metrics are NaN and it is not retrained on resume.
    public var failure: String?

    enum CodingKeys: String, CodingKey {
        case row, method, target, parameters, steps, seconds, curve, seed, failure
        case seedIndex = "seed_index"
        case learningRate = "learning_rate"
        case knnTop1 = "knn_top1"
        case linearTop1 = "linear_top1"
        case effectiveRank = "effective_rank"
        case featureStd = "feature_std"
        case finalLoss = "final_loss"
        case finalPositiveSimilarity = "final_pos_sim"
    }
}

/// What a run had done when it was last checkpointed: wall time so far and curve points.
/// Written next to the checkpoint as `progress.json`.
struct RunProgress: Codable, Equatable {
    var step: Int
    var seconds: Double
    var curve: [CurvePoint]
}
