import TensorCore

extension Sequential {
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
