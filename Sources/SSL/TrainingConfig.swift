import Foundation
import Methods

/// Everything that defines a training run: preset, data, architecture, optimisation, the method
/// and its hyper-parameters. Every field can be set by name (`--set key=value` on the command
/// line, `set key value` in the shell) and is stored in checkpoints as JSON.
public struct TrainingConfig: Codable, Equatable, Sendable {
    // Run
    public var preset = "tiny"
    public var method = "unigrad"
    public var target = TargetBranch.momentum
    public var seed: UInt64 = 42
    // Data
    /// `synthetic`, `fashion-mnist`, `cifar10` or `folder`.
    public var dataset = "synthetic"
    /// Where the dataset's files are (empty: the default location of that dataset).
    public var dataDir = ""
    /// Train on the first `subset` images only (0: all).
    public var subset = 0
    /// Synthetic dataset size (train, test).
    public var syntheticTrain = 4000
    public var syntheticTest = 1000
    public var imageSize = 28
    // Augmentations
    public var cropScaleMin = 0.3
    public var cropScaleMax = 1.0
    public var flipProbability = 0.5
    public var jitterStrength = 0.4
    public var jitterProbability = 0.8
    public var hueStrength = 0.0
    public var grayscaleProbability = 0.0
    public var blurProbability = 0.0
    // Architecture
    /// `tiny`, `convnet-small`, `resnet18`, `resnet50`.
    public var encoder = "tiny"
    public var projectorHidden = 512
    public var projectorOutput = 128
    /// The encoder's final pool averages onto a `poolGrid × poolGrid` grid (1: global average
    /// pooling; 2 keeps coarse spatial layout: 4× the feature size).
    public var poolGrid = 1
    /// Predictor hidden width (0: no predictor; BYOL/SimSiam with an MLP predictor use one).
    public var predictorHidden = 0
    // Optimisation
    public var batchSize = 64
    public var epochs = 1
    public var warmupEpochs = 0.0
    /// Base learning rate before scaling by `batch/256`.
    public var baseLR = 0.3
    public var sgdMomentum = 0.9
    public var weightDecay = 1e-4
    /// `sgd` or `lars`.
    public var optimizer = "sgd"
    /// `m₀` of the momentum-encoder schedule.
    public var baseMomentum = 0.99
    /// Stop after this many steps (0: run all epochs); for short runs and tests.
    public var maxSteps = 0
    /// Hyper-parameters of the current method set by the user (`lambda`, `tau`, …); they override
    /// the preset's and the catalogue's defaults, and are cleared when the method changes.
    public var methodParameters: [String: Double] = [:]
    // Evaluation
    public var knnK = 200
    public var knnT = 0.1
    /// Run the kNN monitor every this many epochs (0: only at the end).
    public var evalEvery = 1
    /// Images in the kNN bank / linear-probe training set (0: all training images).
    public var evalBank = 0
    public var linearProbeEpochs = 20
    /// BLAS threads (0: all cores).
    public var threads = 0
    /// Data-preparation threads (0: all cores); batches do not depend on it.
    public var workers = 0

    public init() {}
}

/// A user error in a configuration: unknown key, malformed or out-of-range value.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension TrainingConfig {
    /// One settable field: its name, a help line, and how to read and write it as text.
    public struct Key: Sendable {
        public let name: String
        public let help: String
        public let get: @Sendable (TrainingConfig) -> String
        public let set: @Sendable (inout TrainingConfig, String) throws -> Void
    }

    private static func int(_ name: String, _ help: String, _ path: WritableKeyPath<TrainingConfig, Int> & Sendable,
                            min: Int = 0, max: Int = Int.max) -> Key {
        Key(name: name, help: help, get: { String($0[keyPath: path]) }, set: { c, text in
            guard let v = Int(text) else { throw ConfigError("\(name) must be an integer, got '\(text)'") }
            guard v >= min && v <= max else {
                throw ConfigError("\(name) must be \(max == Int.max ? "≥ \(min)" : "in \(min)…\(max)"), got \(v)")
            }
            c[keyPath: path] = v
        })
    }

    private static func real(_ name: String, _ help: String, _ path: WritableKeyPath<TrainingConfig, Double> & Sendable,
                             min: Double = 0, max: Double = .greatestFiniteMagnitude) -> Key {
        Key(name: name, help: help, get: { formatNumber($0[keyPath: path]) }, set: { c, text in
            guard let v = Double(text), v.isFinite else { throw ConfigError("\(name) must be a finite number, got '\(text)'") }
            guard v >= min && v <= max else {
                let range = max == .greatestFiniteMagnitude ? "≥ \(formatNumber(min))" : "in \(formatNumber(min))…\(formatNumber(max))"
                throw ConfigError("\(name) must be \(range), got \(formatNumber(v))")
            }
            c[keyPath: path] = v
        })
    }

    private static func choice(_ name: String, _ help: String, _ path: WritableKeyPath<TrainingConfig, String> & Sendable,
                               _ choices: [String]) -> Key {
        Key(name: name, help: help + " (" + choices.joined(separator: "|") + ")", get: { $0[keyPath: path] }, set: { c, text in
            guard choices.contains(text) else {
                throw ConfigError("\(name) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
            }
            c[keyPath: path] = text
        })
    }

    /// The settable keys, in display order.
    public static let keys: [Key] = [
        Key(name: "preset", help: "apply a preset's settings, keeping method, target and seed (tiny|small|full|paper)",
            get: { $0.preset }, set: { c, t in
            guard var p = Presets.config(t) else {
                throw ConfigError(Suggestions.unknown("preset", t, among: Presets.names))
            }
            p.method = c.method
            p.target = c.target
            p.seed = c.seed
            p.methodParameters = c.methodParameters
            p.applyMethodSettings()
            c = p
        }),
        Key(name: "method", help: "the method (see 'methods')", get: { $0.method }, set: { c, t in
            guard MethodCatalog.names.contains(t) else {
                throw ConfigError(Suggestions.unknown("method", t, among: MethodCatalog.names))
            }
            guard t != c.method else { return }
            c.methodParameters = [:]
            c.method = t
            c.applyMethodSettings()
        }),
        Key(name: "seed", help: "random seed", get: { String($0.seed) }, set: { c, t in
            guard let v = UInt64(t) else { throw ConfigError("seed must be a non-negative integer, got '\(t)'") }
            c.seed = v
        }),
        Key(name: "target", help: "target branch (stopgrad|momentum|momentum-positive)", get: { $0.target.rawValue }, set: { c, t in
            guard let v = TargetBranch(rawValue: t) else {
                throw ConfigError("target must be one of stopgrad, momentum, momentum-positive, got '\(t)'")
            }
            c.target = v
        }),
        choice("dataset", "training data", \.dataset, ["synthetic", "fashion-mnist", "cifar10", "folder"]),
        Key(name: "data_dir", help: "directory of the dataset's files", get: { $0.dataDir }, set: { c, t in c.dataDir = t }),
        int("subset", "train on the first N images (0: all)", \.subset),
        int("synthetic_train", "synthetic training images", \.syntheticTrain, min: 10),
        int("synthetic_test", "synthetic test images", \.syntheticTest, min: 10),
        int("image_size", "crop size fed to the network", \.imageSize, min: 8, max: 1024),
        real("crop_scale_min", "RandomResizedCrop smallest area fraction", \.cropScaleMin, min: 0.01, max: 1),
        real("crop_scale_max", "RandomResizedCrop largest area fraction", \.cropScaleMax, min: 0.01, max: 1),
        real("flip_p", "horizontal flip probability", \.flipProbability, max: 1),
        real("jitter", "brightness/contrast/saturation jitter strength", \.jitterStrength, max: 1),
        real("jitter_p", "colour jitter probability", \.jitterProbability, max: 1),
        real("hue", "hue jitter strength", \.hueStrength, max: 0.5),
        real("grayscale_p", "random grayscale probability", \.grayscaleProbability, max: 1),
        real("blur_p", "Gaussian blur probability", \.blurProbability, max: 1),
        choice("encoder", "encoder architecture", \.encoder, ["tiny", "convnet-small", "resnet18", "resnet50"]),
        int("pool_grid", "encoder head: average-pool onto a grid×grid grid (1: global pool)", \.poolGrid, min: 1, max: 8),
        int("projector_hidden", "projector hidden width", \.projectorHidden, min: 1),
        int("projector_out", "projector output width D", \.projectorOutput, min: 1),
        int("predictor_hidden", "predictor hidden width (0: no predictor)", \.predictorHidden),
        int("batch", "batch size N", \.batchSize, min: 2, max: 65536),
        int("epochs", "training epochs", \.epochs, min: 1),
        real("warmup_epochs", "linear warm-up epochs", \.warmupEpochs),
        real("lr", "base learning rate (scaled by batch/256)", \.baseLR),
        real("sgd_momentum", "SGD momentum", \.sgdMomentum, max: 0.999),
        real("wd", "weight decay", \.weightDecay),
        choice("optimizer", "optimizer", \.optimizer, ["sgd", "lars"]),
        real("m0", "initial momentum of the momentum encoder", \.baseMomentum, max: 1),
        int("max_steps", "stop after this many steps (0: all)", \.maxSteps),
        int("knn_k", "kNN neighbours", \.knnK, min: 1),
        real("knn_t", "kNN temperature", \.knnT, min: 1e-6),
        int("eval_every", "kNN every N epochs (0: at the end)", \.evalEvery),
        int("eval_bank", "kNN bank size (0: all training images)", \.evalBank),
        int("linear_epochs", "linear-probe epochs", \.linearProbeEpochs, min: 1),
        int("threads", "BLAS threads (0: all cores)", \.threads),
        int("workers", "data-preparation threads (0: all cores)", \.workers),
    ]

    /// Every key name (config keys; method hyper-parameters are checked by the method).
    public static var keyNames: [String] { keys.map(\.name) }

    /// The value of a key as text.
    public func value(of key: String) -> String? {
        if let k = Self.keys.first(where: { $0.name == key }) { return k.get(self) }
        return methodParameters[key].map(formatNumber)
    }

    /// The current method's hyper-parameter names (`lambda`, `tau`, …).
    public var methodKeys: [String] {
        ((try? MethodCatalog.descriptor(named: method))?.parameters.map(\.key)) ?? []
    }

    /// The current method's hyper-parameters: the catalogue's defaults, then the preset's
    /// (`Presets.methodDefaults`), then the user's `methodParameters`.
    public func resolvedMethodParameters() throws -> MethodParameters {
        let values = Presets.methodDefaults(preset: preset, method: method).merging(methodParameters) { _, user in user }
        do {
            return try MethodCatalog.parameters(for: method, values: values)
        } catch {
            throw ConfigError(error.description)
        }
    }

    /// Sets a config key or a hyper-parameter of the current method from text.
    public mutating func set(_ key: String, _ text: String) throws {
        let methodKeys = self.methodKeys
        if let k = Self.keys.first(where: { $0.name == key }) {
            try k.set(&self, text)
        } else if methodKeys.contains(key) {
            do {
                methodParameters[key] = try MethodCatalog.value(for: method, key: key, text: text)
            } catch {
                throw ConfigError(error.description)
            }
        } else {
            throw ConfigError(Suggestions.unknown("key", key, among: Self.keyNames + methodKeys))
        }
    }

    /// Returns the keys of `Presets.methodSettingKeys` to the preset's values, then applies the
    /// current method's `Presets.methodSettings` (a predictor for BYOL, a learning rate, …).
    public mutating func applyMethodSettings() {
        guard let base = Presets.baseConfig(preset) else { return }
        var settings: [(String, String)] = []
        for key in Presets.methodSettingKeys {
            guard let value = base.value(of: key) else { preconditionFailure("method setting key '\(key)' is not a config key") }
            settings.append((key, value))
        }
        settings += Presets.methodSettings(preset: preset, method: method).sorted { $0.key < $1.key }
        for (key, value) in settings {
            guard let k = Self.keys.first(where: { $0.name == key }) else {
                preconditionFailure("method setting key '\(key)' is not a config key")
            }
            do { try k.set(&self, value) } catch {
                preconditionFailure("preset \(preset), method \(method): invalid setting \(key)=\(value): \(error)")
            }
        }
    }

    /// Applies `key=value` assignments in order.
    public mutating func apply(assignments: [String]) throws {
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ConfigError("--set takes key=value, got '\(a)'")
            }
            try set(String(a[..<eq]), String(a[a.index(after: eq)...]))
        }
    }

    /// The config as one line of JSON (for checkpoint metadata and result files).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }

    /// A config from the JSON written by `json()`; keys added since it was written take their
    /// default values.
    public static func fromJSON(_ text: String) throws -> TrainingConfig {
        do {
            var data = Data(text.utf8)
            if var stored = try JSONSerialization.jsonObject(with: data) as? [String: Any],
               let defaults = try JSONSerialization.jsonObject(with: Data(TrainingConfig().json().utf8)) as? [String: Any] {
                for (key, value) in defaults where stored[key] == nil { stored[key] = value }
                data = try JSONSerialization.data(withJSONObject: stored)
            }
            return try JSONDecoder().decode(TrainingConfig.self, from: data)
        } catch {
            throw ConfigError("the stored run configuration is not valid: \(error.localizedDescription)")
        }
    }
}

/// A number formatted without needless digits (`0.3`, `1e-05`).
public func formatNumber(_ x: Double) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
