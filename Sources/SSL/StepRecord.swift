/// What one training step measured.
public struct StepRecord: Codable, Equatable, Sendable {
    /// 0-based global step.
    public var step: Int
    public var epoch: Int
    /// The method's reported value (loss or surrogate) and its named terms.
    public var loss: Double
    public var terms: [String: Double]
    /// `mean(u1·t2 + u2·t1)/2`, the positive similarity to the targets (logged "for observation"
    /// by the official code).
    public var positiveSimilarity: Double
    public var learningRate: Double
    /// The momentum-encoder coefficient used at this step (0 without a momentum encoder).
    public var momentum: Double
    /// Wall time of the step (forward, method, backward, update), and the time spent waiting for data.
    public var seconds: Double
    public var dataSeconds: Double
    /// Source images per second, `N / seconds` (each image is seen in two views).
    public var imagesPerSecond: Double
}

/// What one epoch measured (one line of `--results`).
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var loss: Double
    public var posSim: Double
    public var knnTop1: Double?
    public var effectiveRank: Double?
    public var featureStd: Double?
    public var imagesPerSecond: Double
    public var seconds: Double
    /// Seconds the epoch's steps spent waiting for data (the loader not keeping up).
    public var dataWaitSeconds: Double = 0

    enum CodingKeys: String, CodingKey {
        case epoch, loss
        case posSim = "pos_sim"
        case knnTop1 = "knn_top1"
        case effectiveRank = "effective_rank"
        case featureStd = "feature_std"
        case imagesPerSecond = "images_per_s"
        case seconds
        case dataWaitSeconds = "data_wait_s"
    }
}
