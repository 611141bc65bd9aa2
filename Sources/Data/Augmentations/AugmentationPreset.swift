/// The augmentation lists of the presets in DESIGN.md; every parameter can be changed.
public enum AugmentationPreset {
    /// The `small` preset (Fashion-MNIST, 28 px): RandomResizedCrop(28, scale 0.3–1), horizontal
    /// flip, brightness/contrast jitter 0.4 with p = 0.8.
    public static func small(size: Int = 28, cropScale: ClosedRange<Double> = 0.3...1,
                             jitter: Double = 0.4, jitterProbability: Double = 0.8,
                             flipProbability: Double = 0.5) -> [any ImageAugmentation] {
        [
            RandomResizedCrop(size: size, scale: cropScale),
            HorizontalFlip(probability: flipProbability),
            ColorJitter(brightness: jitter, contrast: jitter, probability: jitterProbability),
        ]
    }

    /// The MoCo-v2 pipeline (Chen et al., "Improved baselines with momentum contrastive
    /// learning", 2020), used by the `full` and `paper` presets: RandomResizedCrop(size, scale
    /// 0.2–1), colour jitter (0.4, 0.4, 0.4, 0.1) with p = 0.8, grayscale p = 0.2, Gaussian blur
    /// σ ∈ [0.1, 2] with p = 0.5 (kernel ≈ 10% of the size: 23 at 224 px), horizontal flip.
    public static func mocoV2(size: Int, cropScale: ClosedRange<Double> = 0.2...1,
                              jitter: (brightness: Double, contrast: Double, saturation: Double, hue: Double) = (0.4, 0.4, 0.4, 0.1),
                              jitterProbability: Double = 0.8, grayscaleProbability: Double = 0.2,
                              blurProbability: Double = 0.5, blurSigma: ClosedRange<Double> = 0.1...2.0,
                              flipProbability: Double = 0.5) -> [any ImageAugmentation] {
        [
            RandomResizedCrop(size: size, scale: cropScale),
            ColorJitter(brightness: jitter.brightness, contrast: jitter.contrast,
                        saturation: jitter.saturation, hue: jitter.hue, probability: jitterProbability),
            RandomGrayscale(probability: grayscaleProbability),
            GaussianBlur(kernelSize: GaussianBlur.kernelSize(forImageSize: size), sigma: blurSigma,
                         probability: blurProbability),
            HorizontalFlip(probability: flipProbability),
        ]
    }
}
