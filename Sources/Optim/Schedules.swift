import RealModule

/// The learning-rate schedule of the official UniGrad code: linear warm-up per step, then cosine.
///
/// With `lr` the scaled peak rate, `lr_min = 10⁻³·lr`, `k_w` warm-up steps and `K` total steps:
/// - `k < k_w`: `lr_k = lr_min + (lr − lr_min)·k/k_w`  (from `10⁻³·lr` to `lr`);
/// - `k ≥ k_w`: `lr_k = lr_min + ½(lr − lr_min)(1 + cos(π(k − k_w)/K))`.
///
/// The cosine divides by `K`, not `K − k_w`, exactly as the official code does, so the last rate is
/// about `0.0071·lr` for 100 epochs with 5 of warm-up (paper.md §6, check C13).
/// Reference: Tao et al., CVPR 2022, official code `adjust_learning_rate`; Goyal et al. 2017
/// (warm-up and linear scaling); Loshchilov & Hutter 2017 (cosine).
public struct WarmupCosineSchedule: Sendable, Equatable, Codable {
    /// The peak learning rate, already scaled (`baseLR × batch / 256`).
    public var peak: Double
    /// Warm-up steps `k_w`.
    public var warmupSteps: Int
    /// Total steps `K`.
    public var totalSteps: Int
    /// `lr_min / lr` (10⁻³ in the official code).
    public var minimumRatio: Double

    public init(peak: Double, warmupSteps: Int, totalSteps: Int, minimumRatio: Double = 1e-3) {
        precondition(peak >= 0 && warmupSteps >= 0 && totalSteps > 0,
                     "schedule needs peak ≥ 0, warm-up ≥ 0, total > 0; got \(peak), \(warmupSteps), \(totalSteps)")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    /// The linear scaling rule: `baseLR × batchSize / 256` (Goyal et al., 2017).
    public static func scaledLearningRate(base: Double, batchSize: Int) -> Double {
        base * Double(batchSize) / 256
    }

    /// The learning rate at step `k` (0-based).
    public func learningRate(atStep k: Int) -> Double {
        let lrMin = minimumRatio * peak
        if k < warmupSteps {
            return lrMin + (peak - lrMin) * Double(k) / Double(warmupSteps)
        }
        let phase = Double.pi * Double(k - warmupSteps) / Double(totalSteps)
        return lrMin + 0.5 * (peak - lrMin) * (1 + Double.cos(phase))
    }
}

/// The momentum-encoder schedule of BYOL and the official code: `m_k = 1 − (1 − m₀)(cos(πk/K) + 1)/2`,
/// rising from `m₀` at `k = 0` to 1 at `k = K`.
/// Reference: Grill et al., "Bootstrap Your Own Latent", NeurIPS 2020.
public struct MomentumSchedule: Sendable, Equatable, Codable {
    /// `m₀`, the initial momentum (0.996 in the paper, 0.99 in the `small` preset).
    public var base: Double
    /// Total steps `K`.
    public var totalSteps: Int

    public init(base: Double, totalSteps: Int) {
        precondition(base >= 0 && base <= 1 && totalSteps > 0,
                     "momentum schedule needs 0 ≤ m₀ ≤ 1 and K > 0; got \(base), \(totalSteps)")
        self.base = base
        self.totalSteps = totalSteps
    }

    /// `m_k` at step `k` (0-based).
    public func momentum(atStep k: Int) -> Double {
        1 - (1 - base) * (Double.cos(Double.pi * Double(k) / Double(totalSteps)) + 1) / 2
    }
}
