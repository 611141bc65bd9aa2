import Foundation
import Testing
import SSL

/// The official config files mapped onto `TrainingConfig` (issue 6).
@Suite struct OfficialConfigTests {
    /// What each official file must become.
    struct Expected: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var method: String
        var hyper: [String: Double]
        var unusedNote: String?
        var description: String { name }
    }

    static let cases: [Expected] = [
        Expected(name: "unigrad.py", text: OfficialConfigFixtures.unigrad, method: "unigrad",
                 hyper: ["lambda": 100, "rho": 0.99], unusedNote: "eps = 0.3 is not used by loss_unigrad"),
        Expected(name: "simclr_grad_mm.py", text: OfficialConfigFixtures.simclrGradMm, method: "simclr",
                 hyper: ["tau": 0.2], unusedNote: nil),
        Expected(name: "byol_directpred_grad.py", text: OfficialConfigFixtures.byolDirectpredGrad, method: "byol-directpred",
                 hyper: ["eps": 0.3, "rho": 0.99], unusedNote: nil),
        Expected(name: "barlow_twins_grad_mm.py", text: OfficialConfigFixtures.barlowTwinsGradMm, method: "barlow-l2",
                 hyper: ["lambda": 50], unusedNote: nil),
    ]

    static func temporaryFile(_ text: String, name: String = "config.py") throws -> String {
        let dir = NSTemporaryDirectory() + "unigrad-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starting from `tiny` (whose every mapped value differs from the official ones), each file
    /// yields the official method, momentum target, hyper-parameters, schedule and architecture.
    @Test(arguments: cases)
    func officialFileMapsToItsMethodAndSettings(_ e: Expected) throws {
        let tiny = try #require(Presets.config("tiny"))
        let official = try OfficialConfig.parse(e.text, name: e.name, onto: tiny)
        let c = official.config
        #expect(c.method == e.method)
        #expect(c.target == .momentum)
        let p = try c.resolvedMethodParameters()
        for (k, v) in e.hyper {
            let got = try #require(p.entries.first { $0.key == k }?.value, "\(k) missing")
            #expect(abs(got - v) < 1e-12, "\(e.name): \(k) = \(got), expected \(v)")
        }
        #expect(Set(p.entries.map(\.key)) == Set(e.hyper.keys), "\(e.name): \(p.entries.map(\.key))")
        #expect(c.baseLR == 0.05 && c.batchSize == 1024 && c.epochs == 100 && c.warmupEpochs == 5)
        #expect(c.baseMomentum == 0.996 && c.sgdMomentum == 0.9 && c.weightDecay == 1e-4 && c.optimizer == "sgd")
        #expect(c.encoder == "resnet50" && c.projectorHidden == 2048 && c.projectorOutput == 2048)
        #expect(c.knnK == 200 && c.knnT == 0.1 && c.seed == 42)
        #expect(c.dataset == "folder" && c.dataDir == "/path/to/imagenet")
        // The data mapping and the ignored keys are told, not silent.
        #expect(official.notes.contains { $0.contains("train_datadir → /path/to/imagenet/train/data") && $0.contains("data_dir/train") })
        let ignored = try #require(official.notes.first { $0.hasPrefix("understood, no effect here:") })
        for key in ["launcher", "port", "n_workers", "print_freq", "test_freq", "save_freq", "resume_path", "knn_eval"] {
            #expect(ignored.contains(key + " ("), "\(key) not in \(ignored)")
        }
        if let note = e.unusedNote { #expect(official.notes.contains { $0.hasPrefix(note) }, "\(official.notes)") }
        // The mapped config trains: the method builds with these hyper-parameters.
        _ = try RunFactory.method(c)
    }

    /// Empty values (`lambd:` in the SimCLR file) leave the base setting alone.
    @Test func emptyValuesMeanNotSet() throws {
        var base = try #require(Presets.config("paper"))
        base.seed = 7
        let text = OfficialConfigFixtures.simclrGradMm.replacingOccurrences(of: "seed: 42 # random set", with: "seed:")
        let c = try OfficialConfig.parse(text, onto: base).config
        #expect(c.seed == 7)
        #expect(c.methodParameters == ["tau": 0.2])
    }

    @Test func unknownKeysAreReportedByNameAndLine() throws {
        let tiny = try #require(Presets.config("tiny"))
        // Lines 43 and 44: after the 42 lines of the official file (which ends without a newline).
        let text = OfficialConfigFixtures.unigrad + "\nlamdb: 10\nwarp_factor: 9"
        let error = #expect(throws: ConfigError.self) { try OfficialConfig.parse(text, name: "u.py", onto: tiny) }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("u.py: "))
        #expect(message.contains("line 43: unknown key 'lamdb'; did you mean 'lambd'?"), "\(message)")
        #expect(message.contains("line 44: unknown key 'warp_factor'"), "\(message)")
        #expect(!message.contains("\n"))
        // Allowed, they become a note instead.
        let lenient = try OfficialConfig.parse(text, name: "u.py", onto: tiny, allowUnknownKeys: true)
        #expect(lenient.notes.contains { $0.contains("ignored line 43: unknown key 'lamdb'") })
        #expect(lenient.config.methodParameters["lambda"] == 100)
    }

    @Test(arguments: [
        ("seed: 42\narch: [resnet50\n", nil),             // unclosed flow sequence
        ("seed: 42\n  epochs: 3\n", 2),                    // a mapping value where none may be
        ("seed: 'unterminated\n", nil),                     // unterminated quote
    ] as [(String, Int?)])
    func malformedYAMLIsAOneLineErrorWithTheLine(_ text: String, _ line: Int?) throws {
        let error = #expect(throws: ConfigError.self) {
            try OfficialConfig.parse(text, name: "bad.py", onto: TrainingConfig())
        }
        let message = try #require(error?.message)
        // bad.py:LINE:COLUMN: malformed YAML: …
        let parts = message.split(separator: ":", maxSplits: 3).map(String.init)
        #expect(parts.count == 4 && parts[0] == "bad.py" && Int(parts[1]) != nil && Int(parts[2]) != nil, "\(message)")
        #expect(parts.last?.hasPrefix(" malformed YAML: ") == true, "\(message)")
        if let line { #expect(parts[1] == String(line), "\(message)") }
        #expect(!message.contains("\n"), "\(message)")
    }

    @Test func badValuesNameTheFileLineAndKey() throws {
        let tiny = try #require(Presets.config("tiny"))
        func message(_ text: String) -> String {
            (#expect(throws: ConfigError.self) { try OfficialConfig.parse(text, name: "c.py", onto: tiny) })?.message ?? ""
        }
        let batch = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "whole_batch_size: 1024", with: "whole_batch_size: lots")
        #expect(message(batch) == "c.py:21: whole_batch_size: batch must be an integer, got 'lots'")
        let loss = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "'loss_unigrad'", with: "'loss_unigard'")
        #expect(message(loss).hasPrefix("c.py:28: unknown loss 'loss_unigard'; did you mean 'loss_unigrad'?"))
        let arch = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "'resnet50'", with: "'vit_b'")
        #expect(message(arch).hasPrefix("c.py:11: arch 'vit_b' is not available here"))
        let dim = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "'resnet50'", with: "'resnet18'")
        #expect(message(dim) == "c.py:12: projector_input_dim 2048 does not match the resnet18 encoder's 512-d features")
        let layers = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "num_layers: 3", with: "num_layers: 2")
        #expect(message(layers).hasPrefix("c.py:15: num_layers 2 is not supported"))
        let rho = OfficialConfigFixtures.unigrad.replacingOccurrences(of: "rho: 0.99", with: "rho: 1.5")
        #expect(message(rho).hasPrefix("c.py:30: rho: "), "\(message(rho))")
        let twice = OfficialConfigFixtures.unigrad + "\nseed: 3"
        #expect(message(twice) == "c.py:43: key 'seed' appears twice (first on line 1)")
        #expect(message("- a\n- b\n").hasPrefix("c.py:1: expected `key: value` lines"))
        #expect(message("").hasPrefix("c.py: the file is empty"))
    }

    @Test func dataFoldersMapToTheirCommonRoot() {
        let (root, note) = OfficialConfig.dataRoot(train: "/data/imagenet/train", test: "/data/imagenet/val")
        #expect(root == "/data/imagenet")
        #expect(!note.contains("link"))
        let (root2, note2) = OfficialConfig.dataRoot(train: "/path/to/imagenet/train/data", test: "/path/to/imagenet/val/data")
        #expect(root2 == "/path/to/imagenet" && note2.contains("link"))
        #expect(OfficialConfig.dataRoot(train: "imgs/train", test: nil).root == "imgs")
    }

    /// `--config` with explicit flags: preset `paper` underneath, the file over it, flags over both.
    @Test func commandLineOverridesTheFile() throws {
        let path = try Self.temporaryFile(OfficialConfigFixtures.unigrad)
        let (c, notes) = try TrainingConfig.commandLine(preset: nil, configFile: path, settings: [("epochs", "2")],
                                                        assignments: ["lambda=10", "batch=64", "data_dir=/tmp/imgs"])
        #expect(c.preset == "paper" && c.imageSize == 224 && c.blurProbability == 0.5)   // from the preset
        #expect(c.method == "unigrad" && c.baseLR == 0.05 && c.warmupEpochs == 5)          // from the file
        #expect(c.epochs == 2 && c.batchSize == 64 && c.dataDir == "/tmp/imgs")            // from the flags
        let p = try c.resolvedMethodParameters()
        #expect(p.entries.first { $0.key == "lambda" }?.value == 10)
        #expect(p.entries.first { $0.key == "rho" }?.value == 0.99)
        #expect(!notes.isEmpty)
        // An explicit preset replaces paper underneath; --method replaces the file's method (and its λ).
        let (d, _) = try TrainingConfig.commandLine(preset: "tiny", configFile: path, settings: [("method", "simclr")])
        #expect(d.preset == "tiny" && d.imageSize == 28 && d.encoder == "resnet50")
        #expect(d.method == "simclr" && d.methodParameters.isEmpty && d.target == .momentum)
        // A missing file is a one-line error.
        #expect(throws: ConfigError("cannot read config file '/nonexistent/u.py'")) {
            try TrainingConfig.commandLine(preset: nil, configFile: "/nonexistent/u.py")
        }
    }
}
