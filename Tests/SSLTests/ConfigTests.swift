import Testing
import SSL
import Methods

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

    @Test func methodSettingsFollowTheMethodAndYieldToTheUser() throws {
        // Every method's settings are valid config values on every preset (applying them would
        // stop on a precondition otherwise), and a change of method returns them to the preset's.
        for preset in Presets.names {
            let base = Presets.config(preset)!
            for method in MethodCatalog.names {
                var c = base
                try c.set("method", method)
                for (key, value) in Presets.methodSettings(preset: preset, method: method) {
                    #expect(c.value(of: key) == value, "\(preset)/\(method): \(key)")
                }
                try c.set("method", "unigrad")
                for key in Presets.methodSettingKeys {
                    #expect(c.value(of: key) == base.value(of: key), "\(preset)/\(method) → unigrad: \(key)")
                }
            }
        }
        // The user's settings after the method win; a preset change re-applies the method's.
        var c = Presets.config("tiny")!
        try c.set("method", "vicreg")
        #expect(c.baseLR == Double(Presets.methodSettings(preset: "tiny", method: "vicreg")["lr"] ?? "0.3"))
        try c.set("lr", "0.2")
        #expect(c.baseLR == 0.2)
        try c.set("preset", "tiny")
        #expect(c.method == "vicreg" && c.value(of: "lr") == (Presets.methodSettings(preset: "tiny", method: "vicreg")["lr"] ?? "0.3"))
    }
}
