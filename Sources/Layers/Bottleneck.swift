import TensorCore

/// The ResNet bottleneck block, torchvision's "ResNet v1.5" form (stride on the 3×3 conv):
/// `y = ReLU(BN₃(conv₃(ReLU(BN₂(conv₂(ReLU(BN₁(conv₁(x)))))))) + shortcut(x))`.
///
/// `conv₁` 1×1 `C → planes`, `conv₂` 3×3 `planes → planes` with the stride, `conv₃` 1×1
/// `planes → 4·planes`, no biases. The shortcut is the identity, or `downsample` = conv1×1 (stride,
/// no bias) + BN when the stride is not 1 or `C ≠ 4·planes`. `zeroInitResidual` zeroes `γ` of `BN₃`.
/// He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
public final class Bottleneck<Scalar: BLASScalar>: LayerContainer {
    /// Output channels = `planes · expansion`.
    public static var expansion: Int { 4 }

    /// `conv₁`.
    public let conv1: Conv2d<Scalar>
    /// `BN₁`.
    public let bn1: BatchNorm2d<Scalar>
    /// The ReLU after `BN₁`.
    public let relu1: ReLU<Scalar>
    /// `conv₂`.
    public let conv2: Conv2d<Scalar>
    /// `BN₂`.
    public let bn2: BatchNorm2d<Scalar>
    /// The ReLU after `BN₂`.
    public let relu2: ReLU<Scalar>
    /// `conv₃`.
    public let conv3: Conv2d<Scalar>
    /// `BN₃`.
    public let bn3: BatchNorm2d<Scalar>
    /// conv1×1 + BN on the shortcut, or `nil` for the identity.
    public let downsample: Sequential<Scalar>?
    private let reluOut: ReLU<Scalar>

    /// Training or evaluation mode, set on every sub-layer.
    public var isTraining: Bool = true {
        didSet { for child in children { child.layer.isTraining = isTraining } }
    }

    /// A block `inPlanes → 4·planes` with the given stride.
    public init(inPlanes: Int, planes: Int, stride: Int = 1, zeroInitResidual: Bool = false,
                using rng: inout RandomGenerator) {
        let out = planes * Self.expansion
        conv1 = Conv2d(inPlanes, planes, kernelSize: 1, bias: false, using: &rng)
        bn1 = BatchNorm2d(planes)
        relu1 = ReLU()
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &rng)
        bn2 = BatchNorm2d(planes)
        relu2 = ReLU()
        conv3 = Conv2d(planes, out, kernelSize: 1, bias: false, using: &rng)
        bn3 = BatchNorm2d(out)
        if stride != 1 || inPlanes != out {
            downsample = Sequential([Conv2d(inPlanes, out, kernelSize: 1, stride: stride, bias: false, using: &rng),
                                     BatchNorm2d(out)])
        } else {
            downsample = nil
        }
        reluOut = ReLU()
        if zeroInitResidual { bn3.weight.value = .zeros([out]) }
        nameParameters()
    }

    private init(copying o: Bottleneck) {
        conv1 = o.conv1.copy()
        bn1 = o.bn1.copy()
        relu1 = ReLU()
        conv2 = o.conv2.copy()
        bn2 = o.bn2.copy()
        relu2 = ReLU()
        conv3 = o.conv3.copy()
        bn3 = o.bn3.copy()
        downsample = o.downsample?.copy()
        reluOut = ReLU()
        isTraining = o.isTraining
        nameParameters()
        for (a, b) in zip(o.parameters + o.buffers, parameters + buffers) { b.name = a.name }
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] {
        var c: [(name: String, layer: any Layer<Scalar>)] = [
            ("conv1", conv1), ("bn1", bn1), ("relu1", relu1), ("conv2", conv2), ("bn2", bn2), ("relu2", relu2),
            ("conv3", conv3), ("bn3", bn3),
        ]
        if let downsample { c.append(("downsample", downsample)) }
        return c
    }
    public var summary: String {
        "Bottleneck(\(conv1.inChannels)→\(conv2.outChannels)→\(conv3.outChannels), s\(conv2.strideHeight)\(downsample == nil ? "" : ", projection"))"
    }
    public var parameters: [Parameter<Scalar>] { children.flatMap { $0.layer.parameters } }
    public var buffers: [Parameter<Scalar>] { children.flatMap { $0.layer.buffers } }
    public func copy() -> Bottleneck { Bottleneck(copying: self) }

    // x: (N, C, H, W) → y: (N, 4·planes, H/s, W/s)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var h = relu1.forward(bn1.forward(conv1.forward(x)))
        h = relu2.forward(bn2.forward(conv2.forward(h)))
        h = bn3.forward(conv3.forward(h))
        h += downsample?.forward(x) ?? x  // axpy
        return reluOut.forward(h)
    }

    // g: (N, 4·planes, H', W') → ∂L/∂x: (N, C, H, W)
    public func backward(_ gradOutput: Tensor<Scalar>) -> Tensor<Scalar> {
        let g = reluOut.backward(gradOutput)
        var h = conv3.backward(bn3.backward(g))
        h = conv2.backward(bn2.backward(relu2.backward(h)))
        var gx = conv1.backward(bn1.backward(relu1.backward(h)))
        gx += downsample?.backward(g) ?? g
        return gx
    }
}
