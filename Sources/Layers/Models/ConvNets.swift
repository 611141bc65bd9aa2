import TensorCore

extension Sequential {
    /// One `conv3×3 (no bias) + BN + ReLU` stage, its layers named `conv`, `bn`, `relu`.
    public static func convBNReLU(_ inChannels: Int, _ outChannels: Int, stride: Int,
                                  using rng: inout RandomGenerator) -> Sequential {
        Sequential(named: [
            ("conv", Conv2d<Scalar>(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &rng)),
            ("bn", BatchNorm2d<Scalar>(outChannels)),
            ("relu", ReLU<Scalar>()),
        ])
    }

    /// The `small` preset's encoder `convnet-small` (DESIGN.md, Presets): four
    /// conv3×3+BN+ReLU stages with channels 32-64-128-256, strides 1-2-2-2, padding 1, then a
    /// global average pool to a 256-d feature.
    ///
    /// `x: (N, C_in, 28, 28) → (N, 32, 28, 28) → (N, 64, 14, 14) → (N, 128, 7, 7) → (N, 256, 4, 4) → (N, 256)`.
    /// Stages are named `0` … `3` (parameters `0.conv.weight`, `0.bn.weight`, …), the pool `pool`.
    public static func convNetSmall(inputChannels: Int = 1, using rng: inout RandomGenerator) -> Sequential {
        let widths = [32, 64, 128, 256], strides = [1, 2, 2, 2]
        var named: [(String, any Layer<Scalar>)] = []
        var c = inputChannels
        for (i, (w, s)) in zip(widths, strides).enumerated() {
            named.append(("\(i)", convBNReLU(c, w, stride: s, using: &rng)))
            c = w
        }
        named.append(("pool", GlobalAveragePool2d<Scalar>()))
        return Sequential(named: named)
    }

    /// The `tiny` preset's encoder: two conv3×3+BN+ReLU stages (stride 2 each, padding 1) with
    /// `widths` channels (16, 32 by default), then a global average pool to a `widths[1]`-d feature.
    ///
    /// `x: (N, C_in, H, W) → (N, 16, H/2, W/2) → (N, 32, H/4, W/4) → (N, 32)`.
    public static func tinyConvNet(inputChannels: Int = 1, widths: (Int, Int) = (16, 32),
                                   using rng: inout RandomGenerator) -> Sequential {
        Sequential(named: [
            ("0", convBNReLU(inputChannels, widths.0, stride: 2, using: &rng)),
            ("1", convBNReLU(widths.0, widths.1, stride: 2, using: &rng)),
            ("pool", GlobalAveragePool2d<Scalar>()),
        ])
    }
}
