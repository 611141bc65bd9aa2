import TensorCore

/// The rectifier `y = max(x, 0)`, elementwise; backward `∂L/∂x = g · [x > 0]`.
///
/// The derivative at exactly 0 is taken as 0, as PyTorch does.
public final class ReLU<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    /// `y` of the last forward: `y > 0` exactly where `x > 0`. Set by `BatchNorm2d` when a
    /// `Sequential` fuses the two (see `BatchNorm2d.forwardRectified`).
    var output: Tensor<Scalar>?

    /// A rectifier.
    public init() {}

    public var summary: String { "ReLU" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> ReLU {
        let r = ReLU()
        r.isTraining = isTraining
        return r
    }

    // x: (any shape) → y: (same shape)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        // One pass from `x` into a fresh, uninitialised buffer (no copy of `x` first).
        let n = x.count
        let ys = x.scalars.withUnsafeBufferPointer { xp in
            [Scalar](unsafeUninitializedCapacity: n) { yp, count in
                // Branch-free so the loop vectorises; `max(NaN, 0)` is NaN, as in PyTorch.
                for i in 0..<n { yp[i] = Swift.max(xp[i], 0) }
                count = n
            }
        }
        let y = Tensor(shape: x.shape, scalars: ys)
        output = y
        return y
    }

    // g: (same shape) → ∂L/∂x
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let y = output else { preconditionFailure("ReLU: backward without forward") }
        precondition(g.shape == y.shape, "ReLU: gradient shape \(g.shape), forward output \(y.shape)")
        let n = g.count
        let gxs = g.scalars.withUnsafeBufferPointer { gp in
            y.scalars.withUnsafeBufferPointer { yp in
                [Scalar](unsafeUninitializedCapacity: n) { gxp, count in
                    // Both loads unconditional, then a select: the loop vectorises.
                    for i in 0..<n { let gv = gp[i]; gxp[i] = yp[i] > 0 ? gv : 0 }
                    count = n
                }
            }
        }
        return Tensor(shape: g.shape, scalars: gxs)
    }
}
