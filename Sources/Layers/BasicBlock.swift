import TensorCore

/// The ResNet basic block (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016;
/// torchvision `BasicBlock`): `y = ReLU(BN₂(conv₂(ReLU(BN₁(conv₁(x))))) + shortcut(x))`.
///
/// `conv₁` is 3×3 with the block's stride, `conv₂` 3×3 stride 1, both without bias. The shortcut
/// is the identity, or `downsample` = conv1×1 (stride, no bias) + BN when the stride is not 1 or
/// the channel count changes. With `zeroInitResidual`, `γ` of `BN₂` starts at 0 so the block
/// starts as the identity (Goyal et al., 2017). Backward: the gradient after the final ReLU goes
/// both through the residual branch and through the shortcut, and the two input gradients add.
public final class BasicBlock<Scalar: BLASScalar>: LayerContainer {
    /// Output channels = `planes · expansion`.
    public static var expansion: Int { 1 }

    /// `conv₁`.
    public let conv1: Conv2d<Scalar>
    /// `BN₁`.
    public let bn1: BatchNorm2d<Scalar>
    /// The ReLU after `BN₁`.
    public let relu: ReLU<Scalar>
    /// `conv₂`.
    public let conv2: Conv2d<Scalar>
    /// `BN₂`.
    public let bn2: BatchNorm2d<Scalar>
    /// conv1×1 + BN on the shortcut, or `nil` for the identity.
    public let downsample: Sequential<Scalar>?
    private let reluOut: ReLU<Scalar>

    /// Training or evaluation mode, set on every sub-layer.
    public var isTraining: Bool = true {
        didSet { for child in children { child.layer.isTraining = isTraining } }
    }

    /// A block `inPlanes → planes` with the given stride.
    public init(inPlanes: Int, planes: Int, stride: Int = 1, zeroInitResidual: Bool = false,
                using rng: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &rng)
        bn1 = BatchNorm2d(planes)
        relu = ReLU()
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng)
        bn2 = BatchNorm2d(planes)
        if stride != 1 || inPlanes != planes * Self.expansion {
            downsample = Sequential([Conv2d(inPlanes, planes * Self.expansion, kernelSize: 1, stride: stride, bias: false, using: &rng),
                                     BatchNorm2d(planes * Self.expansion)])
        } else {
            downsample = nil
        }
        reluOut = ReLU()
        if zeroInitResidual { bn2.weight.value = .zeros([planes]) }
        nameParameters()
    }

    private init(copying o: BasicBlock) {
        conv1 = o.conv1.copy()
        bn1 = o.bn1.copy()
        relu = ReLU()
        conv2 = o.conv2.copy()
        bn2 = o.bn2.copy()
        downsample = o.downsample?.copy()
        reluOut = ReLU()
        isTraining = o.isTraining
        nameParameters()
        for (a, b) in zip(o.parameters + o.buffers, parameters + buffers) { b.name = a.name }
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] {
        var c: [(name: String, layer: any Layer<Scalar>)] = [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2)]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }
    public var summary: String {
        "BasicBlock(\(conv1.inChannels)→\(conv2.outChannels), s\(conv1.strideHeight)\(downsample == nil ? "" : ", projection"))"
    }
    public var parameters: [Parameter<Scalar>] { children.flatMap { $0.layer.parameters } }
    public var buffers: [Parameter<Scalar>] { children.flatMap { $0.layer.buffers } }
    public func copy() -> BasicBlock { BasicBlock(copying: self) }

    // x: (N, C, H, W) → y: (N, planes, H/s, W/s)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let branch = bn2.forward(conv2.forward(relu.forward(bn1.forward(conv1.forward(x)))))
        let shortcut = downsample?.forward(x) ?? x
        var sum = branch
        sum += shortcut  // axpy
        return reluOut.forward(sum)
    }

    // g: (N, planes, H', W') → ∂L/∂x: (N, C, H, W)
    public func backward(_ gradOutput: Tensor<Scalar>) -> Tensor<Scalar> {
        let g = reluOut.backward(gradOutput)
        var gx = conv1.backward(bn1.backward(relu.backward(conv2.backward(bn2.backward(g)))))
        gx += downsample?.backward(g) ?? g
        return gx
    }
}
