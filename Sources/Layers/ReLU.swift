import TensorCore

/// The rectifier `y = max(x, 0)`, elementwise; backward `∂L/∂x = g · [x > 0]`.
///
/// The derivative at exactly 0 is taken as 0, as PyTorch does.
public final class ReLU<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    /// `y` of the last forward: `y > 0` exactly where `x > 0`.
    private var output: Tensor<Scalar>?

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
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { p in
            for i in p.indices where p[i] < 0 { p[i] = 0 }  // NaN passes through, as in PyTorch
        }
        output = y
        return y
    }

    // g: (same shape) → ∂L/∂x
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let y = output else { preconditionFailure("ReLU: backward without forward") }
        precondition(g.shape == y.shape, "ReLU: gradient shape \(g.shape), forward output \(y.shape)")
        var gx = g
        gx.scalars.withUnsafeMutableBufferPointer { gp in
            y.scalars.withUnsafeBufferPointer { yp in
                for i in gp.indices where !(yp[i] > 0) { gp[i] = 0 }
            }
        }
        return gx
    }
}
