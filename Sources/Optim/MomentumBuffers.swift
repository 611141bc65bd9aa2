import TensorCore
import Layers

/// Heavy-ball momentum buffers shared by `SGD` and `LARS`: `b ← μ·b + d`, with `b = d` on the
/// first step (PyTorch's convention), keyed by parameter for checkpoints.
struct MomentumBuffers<Scalar: BLASScalar> {
    private(set) var buffers: [Tensor<Scalar>?]

    init(count: Int) { buffers = Array(repeating: nil, count: count) }

    /// Folds the update direction `d` of parameter `i` into its buffer and returns the buffer.
    mutating func accumulate(_ d: Tensor<Scalar>, at i: Int, momentum: Scalar) -> Tensor<Scalar> {
        guard momentum != 0 else { return d }
        guard var b = buffers[i] else {
            buffers[i] = d
            return d
        }
        buffers[i] = nil          // keep `b` uniquely referenced so the update is in place
        b *= momentum
        b += d
        buffers[i] = b
        return b
    }

    /// The buffers as `"<parameter name>.momentum_buffer"` → tensor.
    func state(names parameters: [Parameter<Scalar>]) -> [String: Tensor<Scalar>] {
        var s: [String: Tensor<Scalar>] = [:]
        for (p, b) in zip(parameters, buffers) { if let b { s[p.name + ".momentum_buffer"] = b } }
        return s
    }

    /// Restores buffers saved by `state(names:)`; parameters without a saved buffer start fresh.
    mutating func restore(_ state: [String: Tensor<Scalar>], names parameters: [Parameter<Scalar>]) {
        for (i, p) in parameters.enumerated() {
            let b = state[p.name + ".momentum_buffer"]
            precondition(b == nil || b!.shape == p.value.shape,
                         "momentum buffer \(b!.shape) for \(p.name) of shape \(p.value.shape)")
            buffers[i] = b
        }
    }
}
