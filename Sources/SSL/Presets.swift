/// The presets of DESIGN.md: a starting configuration for each scale.
///
/// | preset | data | encoder | projector | batch | schedule |
/// |---|---|---|---|---|---|
/// | `tiny` | synthetic shapes (28 px) | 2 conv layers | 256→256→64 | 64 | short |
/// | `small` | Fashion-MNIST | `convnet-small` | 256→512→512→128 | 128 | SGD 0.3·B/256, cosine, m₀ 0.99 |
/// | `full` | CIFAR-10 | ResNet-18 (CIFAR stem) | 512→2048×3 | 256 | 200 epochs |
/// | `paper` | image folder (224 px) | ResNet-50 | 2048→2048×3 | 1024 | 100 epochs, 5 warm-up, m₀ 0.996 |
public enum Presets {
    /// The names users type.
    public static let names = ["tiny", "small", "full", "paper"]

    /// Per-preset defaults of method hyper-parameters that differ from the catalogue's, by method.
    ///
    /// UniGrad's λ balances `−t⁺` (norm 1) against `λ F u` (norm ≈ λ/D for isotropic features,
    /// since `tr F = 1`), so it scales with the output width D: 100 for D = 2048 (paper), 10 for
    /// D = 128 (`small`), 5 for D = 64 (`tiny`). The ℓ2 Barlow form's λ balances the same two
    /// kinds of term, so it scales the same way: 50 at D = 2048 (official config), 2 at D = 64
    /// (measured on `tiny`: kNN 70.0% with λ = 2, 68.1% with 8, 39.4% with 50).
    public static func methodDefaults(preset: String, method: String) -> [String: Double] {
        switch (preset, method) {
        case ("tiny", "unigrad"): return ["lambda": 5]
        case ("tiny", "barlow-l2"): return ["lambda": 2]
        case ("small", "unigrad"): return ["lambda": 10]
        case ("paper", "unigrad"), ("full", "unigrad"): return ["lambda": 100, "rho": 0.99]
        default: return [:]
        }
    }

    /// MoCo-v2 augmentations (`full`, `paper`): crop scale 0.2–1, colour jitter (0.4, 0.4, 0.4, 0.1),
    /// grayscale p = 0.2; `paper` adds blur at 224 px.
    static func useMoCoV2Augmentations(_ c: inout TrainingConfig) {
        c.cropScaleMin = 0.2
        c.jitterStrength = 0.4
        c.hueStrength = 0.1
        c.grayscaleProbability = 0.2
    }

    /// The configuration of a preset, or nil for an unknown name.
    public static func config(_ name: String) -> TrainingConfig? {
        var c = TrainingConfig()
        c.preset = name
        switch name {
        case "tiny":
            c.dataset = "synthetic"
            c.encoder = "tiny"
            c.imageSize = 28
            c.projectorHidden = 256
            c.projectorOutput = 64
            c.batchSize = 64
            c.epochs = 4
            c.baseLR = 0.3
            c.warmupEpochs = 0
            c.baseMomentum = 0.99
            c.cropScaleMin = 0.3
            c.evalEvery = 1
            c.linearProbeEpochs = 20
        case "small":
            c.dataset = "fashion-mnist"
            c.encoder = "convnet-small"
            c.imageSize = 28
            c.projectorHidden = 512
            c.projectorOutput = 128
            c.batchSize = 128
            c.epochs = 10
            c.baseLR = 0.3
            c.warmupEpochs = 1
            c.baseMomentum = 0.99
            c.cropScaleMin = 0.3
        case "full":
            c.dataset = "cifar10"
            c.encoder = "resnet18"
            c.imageSize = 32
            c.projectorHidden = 2048
            c.projectorOutput = 2048
            c.batchSize = 256
            c.epochs = 200
            c.baseLR = 0.05
            c.warmupEpochs = 5
            c.baseMomentum = 0.996
            useMoCoV2Augmentations(&c)
            c.weightDecay = 5e-4
        case "paper":
            c.dataset = "folder"
            c.encoder = "resnet50"
            c.imageSize = 224
            c.projectorHidden = 2048
            c.projectorOutput = 2048
            c.batchSize = 1024
            c.epochs = 100
            c.baseLR = 0.05
            c.warmupEpochs = 5
            c.baseMomentum = 0.996
            useMoCoV2Augmentations(&c)
            c.blurProbability = 0.5
        default:
            return nil
        }
        return c
    }
}
