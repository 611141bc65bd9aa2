import TensorCore

/// The encoders by the names users type (`--encoder convnet-small`), with their feature sizes.
public enum EncoderArchitecture: String, Sendable, CaseIterable {
    /// Two conv3×3+BN+ReLU stages (16, 32 channels, stride 2) + pool: 32-d.
    case tiny = "tiny"
    /// Four conv3×3+BN+ReLU stages (32-64-128-256, strides 1-2-2-2) + pool: 256-d.
    case convNetSmall = "convnet-small"
    /// ResNet-18 with the CIFAR stem, no classifier: 512-d.
    case resNet18 = "resnet18"
    /// ResNet-18 with the ImageNet stem, no classifier: 512-d.
    case resNet18ImageNet = "resnet18-imagenet"
    /// ResNet-50 with the ImageNet stem, no classifier: 2048-d.
    case resNet50 = "resnet50"

    /// The size of the encoder's output feature.
    public var featureDimension: Int {
        switch self {
        case .tiny: 32
        case .convNetSmall: 256
        case .resNet18, .resNet18ImageNet: 512
        case .resNet50: 2048
        }
    }

    /// Builds the encoder with PyTorch's default initialisation drawn from `rng`.
    public func make<Scalar: BLASScalar>(inputChannels: Int, using rng: inout RandomGenerator,
                                         as: Scalar.Type = Scalar.self) -> Sequential<Scalar> {
        switch self {
        case .tiny: .tinyConvNet(inputChannels: inputChannels, using: &rng)
        case .convNetSmall: .convNetSmall(inputChannels: inputChannels, using: &rng)
        case .resNet18: .resNet18(stem: .cifar, inputChannels: inputChannels, using: &rng)
        case .resNet18ImageNet: .resNet18(stem: .imageNet, inputChannels: inputChannels, using: &rng)
        case .resNet50: .resNet50(stem: .imageNet, inputChannels: inputChannels, using: &rng)
        }
    }
}
