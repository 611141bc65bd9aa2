import Foundation

/// The official UniGrad schedules written out as reference formulas (paper.md §6, from the
/// official `pretrainer.py`), so that derivation checks can state C13. The trainer's own
/// schedules (Optim target) are checked against these once wired.
public enum ReferenceSchedules {
    /// Momentum-encoder coefficient `m_k = 1 − (1 − m₀)(cos(πk/K) + 1)/2`: `m₀` at step 0, 1 at `K`.
    public static func momentum(step k: Int, totalSteps K: Int, base m0: Double) -> Double {
        precondition(K > 0 && k >= 0 && k <= K, "momentum: step \(k) of \(K)")
        return 1 - (1 - m0) * (Foundation.cos(Double.pi * Double(k) / Double(K)) + 1) / 2
    }

    /// Learning rate at step `k`: linear warm-up from `10⁻³·lr` to `lr` over `k_w` steps, then
    /// `lr_min + ½(lr − lr_min)(1 + cos(π(k − k_w)/K))` with `lr_min = 10⁻³·lr` — the divisor is the
    /// total `K`, not `K − k_w`, as in the official code.
    public static func learningRate(step k: Int, totalSteps K: Int, warmupSteps kw: Int, peak lr: Double) -> Double {
        precondition(K > 0 && kw >= 0 && kw <= K && k >= 0 && k <= K, "learningRate: step \(k), warm-up \(kw), total \(K)")
        let start = 1e-3 * lr, lrMin = 1e-3 * lr
        if k < kw { return start + (lr - start) * Double(k) / Double(kw) }
        return lrMin + 0.5 * (lr - lrMin) * (1 + Foundation.cos(Double.pi * Double(k - kw) / Double(K)))
    }

    /// Linear scaling: `lr = base_lr · B / 256`.
    public static func scaledLearningRate(base: Double, batchSize: Int) -> Double { base * Double(batchSize) / 256 }
}
