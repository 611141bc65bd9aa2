import TensorCore

/// SimSiam at feature level (Chen & He, CVPR 2021): the `byol` loss `−cos(W u, t⁺)` with a
/// stop-gradient copy of the online output as the target (not a momentum encoder). At feature
/// level the two differ only in where the targets come from: leave `targets` empty for the
/// stop-gradient default. Same gradient and decomposition as `BYOLMethod`. No parameters.
public struct SimSiamMethod<Scalar: BLASScalar>: SSLMethod {
    public init() {}
    /// From catalogue parameters (none).
    public init(parameters: MethodParameters) {}

    public var name: String { "simsiam" }
    public var parameters: MethodParameters { MethodParameters([]) }

    public func evaluate(z1: Tensor<Scalar>, z2: Tensor<Scalar>, targets: MethodTargets<Scalar>,
                         state: MethodState<Scalar>, decompose: Bool) -> MethodResult<Scalar> {
        predictorCosineResult(name: name, z1: z1, z2: z2, targets: targets, state: state, decompose: decompose)
    }
}
