import Testing
import SSL

@Suite struct ConfigTests {
    @Test func presetsAndKeysValidate() throws {
        #expect(Presets.config("nope") == nil)
        var c = Presets.config("small")!
        #expect(c.encoder == "convnet-small" && c.batchSize == 128 && c.baseLR == 0.3 && c.baseMomentum == 0.99)
        #expect(try c.resolvedMethodParameters().entries.first { $0.key == "lambda" }?.value == 10)
        try c.set("lambda", "3")
        #expect(try c.resolvedMethodParameters().entries.first { $0.key == "lambda" }?.value == 3)
        try c.set("method", "simclr")
        #expect(c.methodParameters.isEmpty)
        #expect(throws: ConfigError.self) { try c.set("lambda", "3") }   // simclr has no λ
        #expect(throws: ConfigError.self) { try c.set("lr", "-1") }
        #expect(throws: ConfigError.self) { try c.set("batch", "abc") }
        #expect(throws: ConfigError.self) { try c.set("method", "unigard") }
        #expect(throws: ConfigError.self) { try c.apply(assignments: ["lr"]) }
        do {
            try c.set("bacth", "3")
        } catch let e as ConfigError {
            #expect(e.message.contains("did you mean 'batch'"))
        }
        #expect(try TrainingConfig.fromJSON(c.json()) == c)
    }

    @Test func applyingAPresetKeepsMethodTargetAndSeed() throws {
        var c = Presets.config("tiny")!
        try c.set("method", "barlow-l2")
        try c.set("target", "stopgrad")
        try c.set("seed", "7")
        try c.set("preset", "small")
        #expect(c.preset == "small" && c.encoder == "convnet-small")
        #expect(c.method == "barlow-l2" && c.target == .stopgrad && c.seed == 7)
    }
}
