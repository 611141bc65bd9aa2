import TensorCore
import Layers

/// An optimizer updates parameters from their accumulated gradients.
///
/// Hyper-parameters are stored; the learning rate is passed per step because schedules own it.
/// `state` exposes the per-parameter buffers (e.g. momentum) by parameter name, so that
/// checkpoints can save and restore them.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// The parameters this optimizer updates, in a fixed order.
    var parameters: [Parameter<Scalar>] { get }
    /// One update with learning rate `learningRate`.
    func step(learningRate: Scalar)
    /// Per-parameter buffers, keyed `"<parameter name>.<buffer>"`.
    var state: [String: Tensor<Scalar>] { get set }
}

extension Optimizer {
    /// Sets every parameter's gradient to zero.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}
