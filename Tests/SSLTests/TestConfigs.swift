import SSL

/// Small, fast configurations on synthetic shapes for the trainer's tests.
enum TestConfigs {
    /// The `tiny` preset shrunk: 256 training images, batch 32.
    static func tiny(method: String = "unigrad", target: TargetBranch = .momentum) -> TrainingConfig {
        var c = Presets.config("tiny")!
        c.method = method
        c.target = target
        c.syntheticTrain = 256
        c.syntheticTest = 100
        c.batchSize = 32
        c.epochs = 2
        c.evalEvery = 0
        c.projectorHidden = 64
        c.projectorOutput = 32
        return c
    }
}
