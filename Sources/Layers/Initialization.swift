import TensorCore

/// PyTorch's default initialisation of `nn.Linear` and `nn.Conv2d`, seeded.
///
/// Weights: Kaiming-uniform with `a = √5` (He et al., 2015; `torch.nn.init.kaiming_uniform_`):
/// `W ~ U(−b, b)` with `b = gain·√(3/fan_in)` and `gain = √(2/(1 + a²)) = √(1/3)`, i.e.
/// `b = 1/√fan_in`. Biases: `U(−1/√fan_in, 1/√fan_in)`. `fan_in` = input features, or
/// `C·k_h·k_w` for a convolution.
public enum Initialization {
    /// The Kaiming-uniform bound `gain·√(3/fan_in)` for leaky-ReLU slope `a` (PyTorch uses `a = √5`).
    public static func kaimingUniformBound(fanIn: Int, a: Double = 5.0.squareRoot()) -> Double {
        precondition(fanIn > 0, "fan_in must be positive, got \(fanIn)")
        let gain = (2.0 / (1.0 + a * a)).squareRoot()
        return gain * (3.0 / Double(fanIn)).squareRoot()
    }

    /// A weight tensor drawn from `U(−b, b)`, `b = kaimingUniformBound(fanIn:)`.
    public static func kaimingUniform<Scalar: BLASScalar>(_ shape: [Int], fanIn: Int,
                                                          using rng: inout RandomGenerator) -> Tensor<Scalar> {
        let b = kaimingUniformBound(fanIn: fanIn)
        return .randomUniform(shape, low: Scalar(-b), high: Scalar(b), using: &rng)
    }

    /// A bias tensor drawn from `U(−1/√fan_in, 1/√fan_in)`.
    public static func biasUniform<Scalar: BLASScalar>(_ shape: [Int], fanIn: Int,
                                                       using rng: inout RandomGenerator) -> Tensor<Scalar> {
        precondition(fanIn > 0, "fan_in must be positive, got \(fanIn)")
        let b = 1 / Double(fanIn).squareRoot()
        return .randomUniform(shape, low: Scalar(-b), high: Scalar(b), using: &rng)
    }
}
