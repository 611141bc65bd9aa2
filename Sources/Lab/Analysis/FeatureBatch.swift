import Foundation
import TensorCore
import Methods
import SSL

/// The features of the current batch in `Double`, with the targets made explicit (constants) and
/// the method state of the trainer: the input of the all-methods table and of finite differences.
struct FeatureBatch {
    var z1, z2: Tensor<Double>
    /// `z1t`, `z2t`: the target branch's raw outputs (momentum, projector for a predictor, or
    /// copies of `z1`, `z2` for a plain stop-gradient).
    var targets: MethodTargets<Double>
    var state: MethodState<Double>
    /// Sample labels (class indices) and class names.
    var labels: [Int]
    var classNames: [String]

    init(outputs out: SiameseOutputs<Float>, trainer t: Trainer, labels: [Int], classNames: [String]) {
        z1 = out.z1.converted(to: Double.self)
        z2 = out.z2.converted(to: Double.self)
        let hasPredictor = t.model.predictor != nil
        let z1t = out.z1m ?? (hasPredictor ? out.p1 : out.z1)
        let z2t = out.z2m ?? (hasPredictor ? out.p2 : out.z2)
        targets = MethodTargets(z1t: z1t.converted(to: Double.self), z2t: z2t.converted(to: Double.self))
        let s = t.methodState
        state = MethodState(queue: s.queue?.converted(to: Double.self), queueCapacity: s.queueCapacity,
                            correlation: s.correlation.map { Self.symmetrized($0.converted(to: Double.self)) },
                            predictor: s.predictor?.converted(to: Double.self), step: s.step)
        self.labels = labels
        self.classNames = classNames
    }

    /// `(F + Fᵀ)/2`: the trainer's Float `F` is symmetric only to rounding (its `tᵀt` products are
    /// not bitwise symmetric), and the methods' gradient `λ F u` assumes `F = Fᵀ`; in Double that
    /// rounding-level asymmetry would show up as a 1e-7 disagreement with finite differences.
    static func symmetrized(_ F: Tensor<Double>) -> Tensor<Double> { (F + F.transposed()) * 0.5 }

    /// The state a method of another family should see: the queue only for the method's own
    /// capacity, `F` and `W` as they are (their dimension is the feature dimension).
    func state(forQueueCapacity capacity: Int) -> MethodState<Double> {
        var s = state
        s.queueCapacity = capacity
        if let q = s.queue, q.rows > capacity { s.queue = q.slicingRows(0..<capacity) }
        return s
    }

    /// A method of the catalogue on this batch, in Double.
    func evaluate(_ method: any SSLMethod<Double>, decompose: Bool = true) -> MethodResult<Double> {
        let capacity = Int(method.parameters.entries.first { $0.key == "queue_size" }?.value ?? Double(state.queueCapacity))
        return method.evaluate(z1: z1, z2: z2, targets: targets, state: state(forQueueCapacity: max(1, capacity)), decompose: decompose)
    }

    /// `"t2[5] (positive)"` → `"t2[5] (positive) ← sample 5: circle"` for vectors from the batch.
    func annotate(_ label: String) -> String {
        guard let open = label.firstIndex(of: "["), let close = label.firstIndex(of: "]"), open < close,
              let k = Int(label[label.index(after: open)..<close]) else { return label }
        let prefix = String(label[..<open])
        let batchPrefixes = ["t1", "t2", "u1", "u2", "z1", "z2", "z~1", "z~2", "k"]
        guard batchPrefixes.contains(where: { prefix.hasSuffix($0) }), k < labels.count, labels[k] < classNames.count else { return label }
        return label + " ← sample \(k): " + classNames[labels[k]]
    }
}

/// Results filled by concurrent workers, one slot each (guarded by a lock).
final class ParallelResults<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ v: Value) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = v
    }

    func value(_ i: Int) -> Value? {
        lock.lock(); defer { lock.unlock() }
        return slots[i]
    }
}
