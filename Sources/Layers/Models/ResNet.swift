import TensorCore

/// The first layers of a ResNet.
public enum ResNetStem: String, Sendable, CaseIterable {
    /// conv3×3 stride 1 padding 1, BN, ReLU, no max-pool (for 32×32 CIFAR images).
    case cifar
    /// conv7×7 stride 2 padding 3, BN, ReLU, max-pool 3×3 stride 2 padding 1 (torchvision).
    case imageNet
}

extension Sequential {
    /// ResNet-18 without its classifier: output `(N, 512)` after the global average pool.
    ///
    /// BasicBlocks `[2, 2, 2, 2]` with 64-128-256-512 channels (He et al., CVPR 2016). Layer names
    /// follow torchvision (`conv1`, `bn1`, `relu`, `maxpool`, `layer1` … `layer4`, `avgpool`), so
    /// parameters are named like `layer2.0.downsample.0.weight`. 11,168,832 parameters with the
    /// CIFAR stem (11,176,512 with the ImageNet stem).
    public static func resNet18(stem: ResNetStem = .cifar, inputChannels: Int = 3, zeroInitResidual: Bool = false,
                                using rng: inout RandomGenerator) -> Sequential {
        resNet(stem: stem, inputChannels: inputChannels, blocks: [2, 2, 2, 2], using: &rng) { inPlanes, planes, stride, rng in
            BasicBlock<Scalar>(inPlanes: inPlanes, planes: planes, stride: stride, zeroInitResidual: zeroInitResidual, using: &rng)
        } expansion: { BasicBlock<Scalar>.expansion }
    }

    /// ResNet-50 without its classifier: output `(N, 2048)` after the global average pool.
    ///
    /// Bottlenecks `[3, 4, 6, 3]` (torchvision v1.5: stride on the 3×3 conv), expansion 4.
    /// 23,508,032 parameters with the ImageNet stem.
    public static func resNet50(stem: ResNetStem = .imageNet, inputChannels: Int = 3, zeroInitResidual: Bool = false,
                                using rng: inout RandomGenerator) -> Sequential {
        resNet(stem: stem, inputChannels: inputChannels, blocks: [3, 4, 6, 3], using: &rng) { inPlanes, planes, stride, rng in
            Bottleneck<Scalar>(inPlanes: inPlanes, planes: planes, stride: stride, zeroInitResidual: zeroInitResidual, using: &rng)
        } expansion: { Bottleneck<Scalar>.expansion }
    }

    private static func resNet(stem: ResNetStem, inputChannels: Int, blocks: [Int], using rng: inout RandomGenerator,
                               block: (Int, Int, Int, inout RandomGenerator) -> any Layer<Scalar>,
                               expansion: () -> Int) -> Sequential {
        var named: [(String, any Layer<Scalar>)] = []
        switch stem {
        case .cifar:
            named.append(("conv1", Conv2d<Scalar>(inputChannels, 64, kernelSize: 3, stride: 1, padding: 1, bias: false, using: &rng)))
            named.append(("bn1", BatchNorm2d<Scalar>(64)))
            named.append(("relu", ReLU<Scalar>()))
        case .imageNet:
            named.append(("conv1", Conv2d<Scalar>(inputChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, using: &rng)))
            named.append(("bn1", BatchNorm2d<Scalar>(64)))
            named.append(("relu", ReLU<Scalar>()))
            named.append(("maxpool", MaxPool2d<Scalar>(kernelSize: 3, stride: 2, padding: 1)))
        }
        var inPlanes = 64
        for (stage, (planes, count)) in zip([64, 128, 256, 512], blocks).enumerated() {
            var stageBlocks: [any Layer<Scalar>] = []
            for b in 0..<count {
                let stride = (stage > 0 && b == 0) ? 2 : 1
                stageBlocks.append(block(inPlanes, planes, stride, &rng))
                inPlanes = planes * expansion()
            }
            named.append(("layer\(stage + 1)", Sequential(stageBlocks)))
        }
        named.append(("avgpool", GlobalAveragePool2d<Scalar>()))
        return Sequential(named: named)
    }
}
