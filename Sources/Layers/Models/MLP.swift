import TensorCore

/// The sizes of a 3-layer projector MLP `d_in → hidden → hidden → d_out` (DESIGN.md, Presets).
public struct ProjectorDimensions: Equatable, Sendable {
    public var input: Int, hidden: Int, output: Int

    /// Explicit sizes.
    public init(input: Int, hidden: Int, output: Int) {
        self.input = input
        self.hidden = hidden
        self.output = output
    }

    /// `tiny`: 32 → 64 → 64 → 32 (after the 2-conv `tiny` encoder).
    public static let tiny = ProjectorDimensions(input: 32, hidden: 64, output: 32)
    /// `small`: 256 → 512 → 512 → 128 (after `convnet-small`).
    public static let small = ProjectorDimensions(input: 256, hidden: 512, output: 128)
    /// `full`: 512 → 2048 → 2048 → 2048 (after ResNet-18).
    public static let full = ProjectorDimensions(input: 512, hidden: 2048, output: 2048)
    /// `paper`: 2048 → 2048 → 2048 → 2048 (after ResNet-50).
    public static let paper = ProjectorDimensions(input: 2048, hidden: 2048, output: 2048)
}

extension Sequential {
    /// The projector for a preset's sizes, e.g. `.projector(.small, using: &rng)`.
    public static func projector(_ d: ProjectorDimensions, using rng: inout RandomGenerator) -> Sequential {
        projector(inputDimension: d.input, hiddenDimension: d.hidden, outputDimension: d.output, using: &rng)
    }

    /// The projector MLP of SimSiam/UniGrad: `Linear(no bias) BN1d ReLU, Linear(no bias) BN1d ReLU,
    /// Linear(with bias)`, i.e. `(N, d₀) → (N, d₁) → (N, d₂) → (N, d₃)` (layers named `0` … `6`).
    ///
    /// DESIGN.md presets: `small` 256→512→512→128, `full` 512→2048→2048→2048,
    /// `paper` 2048→2048→2048→2048. Biases before BN would be cancelled by the mean subtraction,
    /// hence none there.
    public static func projector(inputDimension: Int, hiddenDimension: Int, outputDimension: Int,
                                 using rng: inout RandomGenerator) -> Sequential {
        Sequential([
            Linear<Scalar>(inputDimension, hiddenDimension, bias: false, using: &rng),
            BatchNorm1d<Scalar>(hiddenDimension),
            ReLU<Scalar>(),
            Linear<Scalar>(hiddenDimension, hiddenDimension, bias: false, using: &rng),
            BatchNorm1d<Scalar>(hiddenDimension),
            ReLU<Scalar>(),
            Linear<Scalar>(hiddenDimension, outputDimension, bias: true, using: &rng),
        ])
    }

    /// The 2-layer predictor MLP of BYOL/SimSiam: `Linear BN1d ReLU Linear`,
    /// `(N, d) → (N, hidden) → (N, d_out)` (Grill et al., 2020; Chen & He, 2021). The first
    /// linear has no bias by default (BN follows); the last has one.
    public static func predictor(inputDimension: Int, hiddenDimension: Int, outputDimension: Int,
                                 firstBias: Bool = false, using rng: inout RandomGenerator) -> Sequential {
        Sequential([
            Linear<Scalar>(inputDimension, hiddenDimension, bias: firstBias, using: &rng),
            BatchNorm1d<Scalar>(hiddenDimension),
            ReLU<Scalar>(),
            Linear<Scalar>(hiddenDimension, outputDimension, bias: true, using: &rng),
        ])
    }
}
