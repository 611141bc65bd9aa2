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

    /// The size of the encoder's output feature with global average pooling.
    public var featureDimension: Int {
        switch self {
        case .tiny: 32
        case .convNetSmall: 256
        case .resNet18, .resNet18ImageNet: 512
        case .resNet50: 2048
        }
    }

    /// The size of the encoder's output feature when its final pool averages onto a
    /// `poolGrid × poolGrid` grid (`GridAveragePool2d`): `featureDimension · poolGrid²`.
    public func featureDimension(poolGrid: Int) -> Int { featureDimension * poolGrid * poolGrid }

    /// Builds the encoder with PyTorch's default initialisation drawn from `rng`. With
    /// `poolGrid > 1` the final global average pool becomes a `GridAveragePool2d(poolGrid)` (same
    /// initialisation: the pool has no parameters).
    public func make<Scalar: BLASScalar>(inputChannels: Int, poolGrid: Int = 1, using rng: inout RandomGenerator,
                                         as: Scalar.Type = Scalar.self) -> Sequential<Scalar> {
        precondition(poolGrid >= 1, "EncoderArchitecture.make: poolGrid \(poolGrid) must be ≥ 1")
        let encoder = makeWithGlobalPool(inputChannels: inputChannels, using: &rng, as: Scalar.self)
        guard poolGrid > 1 else { return encoder }
        precondition(encoder.layers.last is GlobalAveragePool2d<Scalar>, "\(rawValue): the encoder does not end in a global pool")
        var named = Array(encoder.children.dropLast())
        named.append((encoder.names.last ?? "pool", GridAveragePool2d<Scalar>(grid: poolGrid)))
        return Sequential(named: named.map { ($0.name, $0.layer) })
    }

    func makeWithGlobalPool<Scalar: BLASScalar>(inputChannels: Int, using rng: inout RandomGenerator,
                                                as: Scalar.Type) -> Sequential<Scalar> {
        switch self {
        case .tiny: .tinyConvNet(inputChannels: inputChannels, using: &rng)
        case .convNetSmall: .convNetSmall(inputChannels: inputChannels, using: &rng)
        case .resNet18: .resNet18(stem: .cifar, inputChannels: inputChannels, using: &rng)
        case .resNet18ImageNet: .resNet18(stem: .imageNet, inputChannels: inputChannels, using: &rng)
        case .resNet50: .resNet50(stem: .imageNet, inputChannels: inputChannels, using: &rng)
        }
    }
}
