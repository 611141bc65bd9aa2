import TensorCore

/// Global average pooling `y[n,c] = (1/HW) Σ_{h,w} x[n,c,h,w]`, returning features `(N, C)`
/// (PyTorch `nn.AdaptiveAvgPool2d(1)` followed by `flatten(1)`); backward spreads `g/HW`.
public final class GlobalAveragePool2d<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    private var inputShape: [Int] = []

    /// A global average pool.
    public init() {}

    public var summary: String { "GlobalAveragePool2d" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> GlobalAveragePool2d {
        let l = GlobalAveragePool2d()
        l.isTraining = isTraining
        return l
    }

    // x: (N, C, H, W) → y: (N, C)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4 && x.shape[2] * x.shape[3] > 0, "\(summary): input shape \(x.shape) is not (N, C, H, W)")
        let planes = x.shape[0] * x.shape[1], S = x.shape[2] * x.shape[3]
        var y = [Scalar](repeating: 0, count: planes)
        x.scalars.withUnsafeBufferPointer { xp in
            for p in 0..<planes {
                var s: Scalar = 0
                for q in 0..<S { s += xp[p * S + q] }
                y[p] = s / Scalar(S)
            }
        }
        inputShape = x.shape
        return Tensor(shape: [x.shape[0], x.shape[1]], scalars: y)
    }

    // g: (N, C) → ∂L/∂x: (N, C, H, W)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(inputShape.count == 4 && g.shape == [inputShape[0], inputShape[1]],
                     "\(summary): gradient shape \(g.shape), forward input \(inputShape)")
        let S = inputShape[2] * inputShape[3]
        var gx = [Scalar](repeating: 0, count: g.count * S)
        gx.withUnsafeMutableBufferPointer { gp in
            for p in 0..<g.count {
                let v = g.scalars[p] / Scalar(S)
                for q in 0..<S { gp[p * S + q] = v }
            }
        }
        return Tensor(shape: inputShape, scalars: gx)
    }
}
