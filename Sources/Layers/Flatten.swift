import TensorCore

/// `(N, d₁, d₂, …) → (N, d₁·d₂·…)`, keeping the row-major order; backward restores the shape.
public final class Flatten<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    private var inputShape: [Int] = []

    /// A flattening layer.
    public init() {}

    public var summary: String { "Flatten" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> Flatten {
        let l = Flatten()
        l.isTraining = isTraining
        return l
    }

    // x: (N, …) → y: (N, D)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank >= 1, "Flatten: input must have a batch dimension, got shape \(x.shape)")
        inputShape = x.shape
        return x.reshaped([x.shape[0], x.shape.dropFirst().reduce(1, *)])
    }

    // g: (N, D) → ∂L/∂x: (N, …)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(g.count == inputShape.reduce(1, *), "Flatten: gradient shape \(g.shape), forward input \(inputShape)")
        return g.reshaped(inputShape)
    }
}
