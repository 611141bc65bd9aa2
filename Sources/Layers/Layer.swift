import TensorCore

/// A differentiable building block with `forward` and `backward` side by side.
///
/// `forward` caches what `backward` needs (in training mode); `backward` takes `∂L/∂y`,
/// *accumulates* `∂L/∂θ` into each parameter's `grad`, and returns `∂L/∂x`. One forward must
/// precede each backward. Layers are classes (they own parameters, caches and running statistics).
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar

    /// A short human-readable description, e.g. `Conv2d(3→32, k3, s1, p1)`.
    var summary: String { get }

    /// Training mode (batch statistics in BN, caches for backward) or evaluation mode.
    var isTraining: Bool { get set }

    /// `y = f(x; θ)`.
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar>

    /// Given `∂L/∂y`, accumulates `∂L/∂θ` and returns `∂L/∂x`.
    func backward(_ gradOutput: Tensor<Scalar>) -> Tensor<Scalar>

    /// Trainable parameters, in a fixed order.
    var parameters: [Parameter<Scalar>] { get }

    /// Non-trainable state that belongs in checkpoints (e.g. BN running mean and variance),
    /// in a fixed order. Stored as `Parameter`s so that they have names; their `grad` is unused.
    var buffers: [Parameter<Scalar>] { get }

    /// A deep copy: new parameters and buffers with the same values, no shared state.
    func copy() -> Self
}

extension Layer {
    /// Sets every parameter's gradient to zero.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// The total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
