/// The presets of DESIGN.md: a starting configuration for each scale.
///
/// | preset | data | encoder | projector | batch | schedule |
/// |---|---|---|---|---|---|
/// | `tiny` | synthetic shapes (28 px) | 2 conv layers | 256→256→64 | 64 | short |
/// | `small` | Fashion-MNIST | `convnet-small`, 4×4 grid head (no pooling) | 4096→512→512→128 | 128 | 5 epochs, SGD 0.3·B/256, cosine, m₀ 0.99 |
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
    /// (measured on `tiny`: kNN 70.0% with λ = 2, 68.1% with 8, 39.4% with 50), 4 at D = 128.
    /// The VICReg gradient form's λ ≈ 2D·w_cov/w_inv: 5 at D = 64, 10 (the catalogue's) at 128.
    /// Barlow Twins on standardised features weighs D² off-diagonal against D diagonal terms, so
    /// its λ scales as 1/D: 0.02 (0.05 for the gradient form) at D = 64 (measured on `tiny`), half that
    /// at D = 128, and the paper's
    /// 0.0051 (catalogue default) for the wide projectors. README "Per-method settings" has the
    /// measurements behind each value.
    public static func methodDefaults(preset: String, method: String) -> [String: Double] {
        switch (preset, method) {
        case ("tiny", "unigrad"): return ["lambda": 5]
        case ("tiny", "barlow-l2"): return ["lambda": 2]
        case ("tiny", "barlow"): return ["lambda": 0.02]
        case ("tiny", "barlow-grad"): return ["lambda": 0.05]
        case ("tiny", "vicreg-grad"): return ["lambda": 5]
        case ("small", "unigrad"): return ["lambda": 10]
        case ("small", "barlow-l2"): return ["lambda": 4]
        case ("small", "barlow"): return ["lambda": 0.01]
        case ("small", "barlow-grad"): return ["lambda": 0.025]
        case ("paper", "unigrad"), ("full", "unigrad"): return ["lambda": 100, "rho": 0.99]
        default: return [:]
        }
    }

    /// Training settings (config keys) that a method needs different from the preset's, by preset:
    /// a predictor for BYOL and SimSiam, and the learning rate of the methods whose loss scale
    /// differs from the normalised forms'. Applied when the method is chosen (`method` key), before
    /// the user's own `set`s; `methodSettingKeys` return to the preset's values on a change of method.
    /// How each value was measured is in README.md ("Per-method settings").
    public static func methodSettings(preset: String, method: String) -> [String: String] {
        switch (preset, method) {
        // BYOL and SimSiam have an MLP predictor (hidden 4·D on the small presets; SimSiam's
        // 2048→512→2048 bottleneck on the wide ones).
        case ("tiny", "byol"), ("tiny", "simsiam"): return ["predictor_hidden": "256"]
        case ("small", "byol"), ("small", "simsiam"): return ["predictor_hidden": "512"]
        case ("full", "byol"), ("full", "simsiam"), ("paper", "byol"), ("paper", "simsiam"): return ["predictor_hidden": "512"]
        // The unnormalised losses (VICReg on raw z, Barlow Twins on standardised z) have gradients
        // many times larger than the ℓ2 forms': at lr 0.3 VICReg diverged within 10 steps on tiny.
        case ("tiny", "vicreg"), ("tiny", "barlow"), ("tiny", "barlow-grad"),
             ("small", "vicreg"), ("small", "barlow"), ("small", "barlow-grad"):
            return ["lr": "0.05"]
        default: return [:]
        }
    }

    /// The config keys any method may override through `methodSettings`.
    public static let methodSettingKeys = ["lr", "predictor_hidden", "wd"]

    /// MoCo-v2 augmentations (`full`, `paper`): crop scale 0.2–1, colour jitter (0.4, 0.4, 0.4, 0.1),
    /// grayscale p = 0.2; `paper` adds blur at 224 px.
    static func useMoCoV2Augmentations(_ c: inout TrainingConfig) {
        c.cropScaleMin = 0.2
        c.jitterStrength = 0.4
        c.hueStrength = 0.1
        c.grayscaleProbability = 0.2
    }

    /// The configuration of a preset for its default method (`unigrad`) with that method's
    /// settings applied, or nil for an unknown name.
    public static func config(_ name: String) -> TrainingConfig? {
        guard var c = baseConfig(name) else { return nil }
        c.applyMethodSettings()
        return c
    }

    /// The configuration of a preset before any method's settings.
    static func baseConfig(_ name: String) -> TrainingConfig? {
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
            c.epochs = 12
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
            // Tuned (README, "The small preset"): a 4×4 grid head — the last 4×4 feature map kept
            // whole (256·16 features) instead of its global average — keeps the layout of these
            // aligned images; 5 epochs take ≈ 19 min of steps on 2 cores. Measured on 20 000 images × 3
            // epochs: kNN 76.40% (global pool), 80.08% (2×2), 81.86% (4×4).
            // The reference schedule of DESIGN.md: --set pool_grid=1 --epochs 10.
            c.poolGrid = 4
            c.epochs = 5
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
