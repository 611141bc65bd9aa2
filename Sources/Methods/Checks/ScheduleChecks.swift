import Foundation
import TensorCore

// Checks of the training schedules (C13), stated in derivations/unigrad.md.

/// Checks of `ReferenceSchedules` against the numbers the paper's setting implies.
enum ScheduleChecks {
    static var all: [DerivationCheck] { [momentum, learningRate] }

    /// The paper's setting: 1,281,167 images, batch 1024 → 1251 steps per epoch, 100 epochs, 5 warm-up.
    static let stepsPerEpoch = 1_281_167 / 1024
    static let totalSteps = 100 * stepsPerEpoch
    static let warmupSteps = 5 * stepsPerEpoch

    static let momentum = DerivationCheck(
        id: "schedule.momentum",
        claim: "m_k = 1 − (1 − m0)(cos(πk/K) + 1)/2 starts at m0 = 0.996, ends at 1 and never decreases",
        reference: "C13"
    ) { _ in
        let K = totalSteps
        let values = (0...K).map { ReferenceSchedules.momentum(step: $0, totalSteps: K, base: 0.996) }
        var worstDecrease = 0.0
        for k in 1...K { worstDecrease = max(worstDecrease, values[k - 1] - values[k]) }
        var r = CheckResult.worst(of: [CheckKit.compare(values[0], 0.996), CheckKit.compare(values[K], 1)],
                                  note: "K=\(K) steps")
        if worstDecrease > 0 { r.maxRelativeError = .infinity }
        return r
    }

    static let learningRate = DerivationCheck(
        id: "schedule.learning-rate",
        claim: "batch 1024, base 0.05: lr = 0.2, lr(0) = 2e-4, lr(k_w) = 0.2, lr(K) = 0.00714969·lr (divisor K, not K − k_w)",
        reference: "C13"
    ) { _ in
        let lr = ReferenceSchedules.scaledLearningRate(base: 0.05, batchSize: 1024)
        let at = { (k: Int) in ReferenceSchedules.learningRate(step: k, totalSteps: totalSteps, warmupSteps: warmupSteps, peak: lr) }
        // 1e-3 + ½(1 − 1e-3)(1 + cos(0.95π)) with cos(0.95π) = −0.98768834059514, evaluated by hand
        let finalRatio = 0.0071496738727
        return CheckResult.worst(of: [
            CheckKit.compare(lr, 0.2),
            CheckKit.compare(at(0), 2e-4),
            CheckKit.compare(at(warmupSteps), 0.2),
            CheckKit.compare(at(totalSteps) / lr, finalRatio, tolerance: 1e-10),
        ], note: "K=\(totalSteps), k_w=\(warmupSteps)")
    }
}
