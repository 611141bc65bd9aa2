import Foundation
import Yams
import Layers

/// A config file of the official UniGrad repository (`configs/*.py`: YAML syntax despite the
/// suffix) mapped onto a `TrainingConfig`, with one-line notes on everything the mapping decided.
///
/// The mapping (official key → setting):
///
/// | official | here |
/// |---|---|
/// | `loss: loss_unigrad` | `method unigrad`, `target momentum`; `lambd` → `lambda`, `rho` → `rho` |
/// | `loss: loss_simclr_grad_mm` | `method simclr`, `target momentum`; `moco_t` → `tau` |
/// | `loss: loss_byol_directpred_grad` | `method byol-directpred`, `target momentum`; `eps`, `rho` (λ is adaptive) |
/// | `loss: loss_barlow_twins_grad_mm` | `method barlow-l2`, `target momentum`; `lambd` → `lambda` |
/// | `arch` (`resnet50`, `resnet18`) | `encoder` |
/// | `projector_hidden_dim`, `projector_output_dim` | `projector_hidden`, `projector_out` |
/// | `projector_input_dim`, `num_layers` | checked: the encoder's feature size, 3 |
/// | `base_lr`, `whole_batch_size`, `momentum`, `weight_decay` | `lr` (scaled by batch/256 as officially), `batch`, `sgd_momentum`, `wd`; `optimizer sgd` |
/// | `epochs`, `warmup_epochs`, `base_momentum` | `epochs`, `warmup_epochs`, `m0` |
/// | `knn_k`, `knn_t`, `seed` | `knn_k`, `knn_t`, `seed` |
/// | `train_datadir`, `test_datadir` | `dataset folder`, `data_dir` = their deepest common folder (the folder dataset reads `data_dir/train` and `data_dir/val`) |
///
/// An empty value (`moco_t:`) means "not set": the setting keeps its value from the base config
/// (the preset). Keys understood but without effect here (`launcher`, `port`, `n_workers`,
/// `print_freq`, `test_freq`, `save_freq`, `resume_path`, `knn_eval`) are listed in a note.
/// Any other key is an error naming it and its line (or, with `allowUnknownKeys`, a note).
/// A hyper-parameter set for a loss that does not use it (e.g. `eps` with `loss_unigrad`, which the
/// official code also ignores) gets a note.
///
/// Reference: Tao et al., "Exploring the Equivalence of Siamese Self-Supervised Learning via A
/// Unified Gradient Framework", CVPR 2022, official code `configs/`; paper.md §4 and §6.
public struct OfficialConfig: Sendable {
    /// The base config with the file's settings applied.
    public var config: TrainingConfig
    /// One line per decision worth telling the user (ignored keys, unused values, data paths).
    public var notes: [String]

    /// The official `loss` values and the method and target branch each maps to.
    public static let losses: [String: (method: String, target: TargetBranch)] = [
        "loss_unigrad": ("unigrad", .momentum),
        "loss_simclr_grad_mm": ("simclr", .momentum),
        "loss_byol_directpred_grad": ("byol-directpred", .momentum),
        "loss_barlow_twins_grad_mm": ("barlow-l2", .momentum),
    ]

    /// Keys understood but without effect in this build, with the reason.
    public static let ignoredKeys: [String: String] = [
        "launcher": "one process here, no distributed launcher",
        "port": "one process here, no distributed port",
        "n_workers": "the loader's background threads are fixed by the build",
        "print_freq": "progress is printed every step",
        "test_freq": "use eval_every",
        "save_freq": "--checkpoint-dir writes a checkpoint every epoch",
        "resume_path": "use --checkpoint-dir DIR --resume",
        "knn_eval": "the kNN monitor runs every eval_every epochs",
    ]

    /// Keys that map onto a setting.
    public static let mappedKeys = ["seed", "train_datadir", "test_datadir", "arch", "projector_input_dim",
                                    "projector_hidden_dim", "projector_output_dim", "num_layers", "base_momentum",
                                    "base_lr", "whole_batch_size", "momentum", "weight_decay", "epochs",
                                    "warmup_epochs", "loss", "lambd", "rho", "eps", "moco_t", "knn_k", "knn_t"]

    /// Official `arch` names and the encoder each maps to.
    public static let architectures = ["resnet50": "resnet50", "resnet18": "resnet18"]

    /// Reads and maps the file at `path` onto `base` (e.g. the `paper` preset).
    /// Throws `ConfigError` (one line, naming the file and line) for unreadable files, malformed
    /// YAML, unknown keys, unknown losses or architectures and out-of-range values.
    public static func load(path: String, onto base: TrainingConfig, allowUnknownKeys: Bool = false) throws -> OfficialConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read config file '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("\(path): not UTF-8 text")
        }
        return try parse(text, name: path, onto: base, allowUnknownKeys: allowUnknownKeys)
    }

    /// Maps the YAML `text` (named `name` in messages) onto `base`; see `load(path:onto:allowUnknownKeys:)`.
    public static func parse(_ text: String, name: String = "config", onto base: TrainingConfig,
                             allowUnknownKeys: Bool = false) throws -> OfficialConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ConfigError("\(name):\(yamlErrorLine(e))")
        } catch {
            throw ConfigError("\(name): malformed YAML: \(error)")
        }
        guard let root else { throw ConfigError("\(name): the file is empty (expected `key: value` lines)") }
        guard let mapping = root.mapping else {
            throw ConfigError("\(name):\(root.mark?.line ?? 1): expected `key: value` lines at the top level")
        }

        // Collect the entries with their lines; reject duplicates and unknown keys up front.
        var entries: [String: (value: String?, line: Int)] = [:]
        var unknown: [(String, Int)] = []
        for (k, v) in mapping {
            let line = k.mark?.line ?? 0
            guard let key = k.scalar?.string else { throw ConfigError("\(name):\(line): keys must be plain names") }
            if let first = entries[key] {
                throw ConfigError("\(name):\(line): key '\(key)' appears twice (first on line \(first.line))")
            }
            guard v.scalar != nil else {
                throw ConfigError("\(name):\(line): \(key) must be a single value, not a list or a mapping")
            }
            let isNull = v.null != nil
            entries[key] = (isNull ? nil : v.scalar?.string, line)
            if !mappedKeys.contains(key) && ignoredKeys[key] == nil { unknown.append((key, line)) }
        }
        var notes: [String] = []
        if !unknown.isEmpty {
            let known = mappedKeys + ignoredKeys.keys.sorted()
            let list = unknown.map { key, line in "line \(line): " + Suggestions.unknown("key", key, among: known) }
            if !allowUnknownKeys {
                throw ConfigError("\(name): \(list.joined(separator: "; ")) (not an official UniGrad config key)")
            }
            notes.append("ignored \(list.joined(separator: "; "))")
        }

        var c = base
        func value(_ key: String) -> (text: String, line: Int)? {
            guard let e = entries[key], let t = e.value else { return nil }
            return (t, e.line)
        }
        func set(_ key: String, _ setting: String, transform: (String) -> String = { $0 }) throws {
            guard let (t, line) = value(key) else { return }
            do {
                try c.set(setting, transform(t))
            } catch let e as ConfigError {
                throw ConfigError("\(name):\(line): \(key): \(e.message)")
            }
        }
        func integer(_ key: String) throws -> Int? {
            guard let (t, line) = value(key) else { return nil }
            guard let v = Int(t) else { throw ConfigError("\(name):\(line): \(key) must be an integer, got '\(t)'") }
            return v
        }

        // Method and target branch first: changing the method clears its hyper-parameters.
        var loss: String?
        if let (l, line) = value("loss") {
            guard let m = losses[l] else {
                throw ConfigError("\(name):\(line): " + Suggestions.unknown("loss", l, among: losses.keys.sorted())
                                  + " (known: \(losses.keys.sorted().joined(separator: ", ")))")
            }
            try c.set("method", m.method)
            c.target = m.target
            loss = l
        }
        try set("seed", "seed")
        // Architecture.
        if let (a, line) = value("arch") {
            guard let encoder = architectures[a] else {
                throw ConfigError("\(name):\(line): arch '\(a)' is not available here (\(architectures.keys.sorted().joined(separator: ", ")))")
            }
            try c.set("encoder", encoder)
        }
        if let d = try integer("projector_input_dim"), let arch = EncoderArchitecture(rawValue: c.encoder),
           d != arch.featureDimension(poolGrid: c.poolGrid), let line = entries["projector_input_dim"]?.line {
            throw ConfigError("\(name):\(line): projector_input_dim \(d) does not match the \(c.encoder) encoder's \(arch.featureDimension(poolGrid: c.poolGrid))-d features")
        }
        if let layers = try integer("num_layers"), layers != 3, let line = entries["num_layers"]?.line {
            throw ConfigError("\(name):\(line): num_layers \(layers) is not supported: the projector has 3 layers (Linear BN ReLU, Linear BN ReLU, Linear)")
        }
        try set("projector_hidden_dim", "projector_hidden")
        try set("projector_output_dim", "projector_out")
        try set("base_momentum", "m0")
        // Optimisation (the official pre-training uses SGD with the linear-scaling rule).
        if value("base_lr") != nil || value("momentum") != nil || value("weight_decay") != nil { c.optimizer = "sgd" }
        try set("whole_batch_size", "batch")
        try set("base_lr", "lr")
        try set("momentum", "sgd_momentum")
        try set("weight_decay", "wd")
        try set("epochs", "epochs")
        try set("warmup_epochs", "warmup_epochs")
        try set("knn_k", "knn_k")
        try set("knn_t", "knn_t")

        // Method hyper-parameters: which official key feeds which of our keys, per method.
        let uses: [String: String]
        switch c.method {
        case "unigrad": uses = ["lambd": "lambda", "rho": "rho"]
        case "simclr": uses = ["moco_t": "tau"]
        case "byol-directpred": uses = ["eps": "eps", "rho": "rho"]
        case "barlow-l2": uses = ["lambd": "lambda"]
        default: uses = [:]
        }
        for key in ["lambd", "rho", "eps", "moco_t"] {
            guard let (t, line) = value(key) else { continue }
            if let ours = uses[key] {
                do {
                    try c.set(ours, t)
                } catch let e as ConfigError {
                    throw ConfigError("\(name):\(line): \(key): \(e.message)")
                }
            } else {
                let why = key == "lambd" && c.method == "byol-directpred" ? "its λ is adaptive" : "it has no such hyper-parameter"
                notes.append("\(key) = \(t) is not used by \(loss ?? c.method) (\(why))")
            }
        }

        // Data: the two folders become dataset `folder` rooted at their deepest common folder.
        let train = value("train_datadir")?.text, test = value("test_datadir")?.text
        if train != nil || test != nil {
            let (root, note) = dataRoot(train: train, test: test)
            c.dataset = "folder"
            c.dataDir = root
            notes.append(note)
        }

        let ignored = entries.keys.filter { ignoredKeys[$0] != nil }.sorted()
        if !ignored.isEmpty {
            notes.append("understood, no effect here: " + ignored.map { "\($0) (\(ignoredKeys[$0] ?? ""))" }.joined(separator: ", "))
        }
        return OfficialConfig(config: c, notes: notes)
    }

    /// The folder dataset's root for the official `train_datadir` and `test_datadir`: their
    /// deepest common folder (for `/d/train` and `/d/val`, `/d`), with a note on how they map.
    /// With one path only, its parent folder.
    public static func dataRoot(train: String?, test: String?) -> (root: String, note: String) {
        func components(_ p: String) -> [String] { p.split(separator: "/", omittingEmptySubsequences: true).map(String.init) }
        let absolute = (train ?? test ?? "").hasPrefix("/")
        let paths = [train, test].compactMap { $0 }.map(components)
        var common = Array((paths.first ?? []).dropLast())
        if paths.count == 2 {
            var k = 0
            while k < paths[0].count - 1 && k < paths[1].count - 1 && paths[0][k] == paths[1][k] { k += 1 }
            common = Array(paths[0].prefix(k))
        }
        let root = (absolute ? "/" : "") + common.joined(separator: "/")
        let display = root.isEmpty ? "." : root
        let rel = { (p: String?) -> String in p.map { components($0).dropFirst(common.count).joined(separator: "/") } ?? "–" }
        var note = "data: dataset folder, data_dir \(display) (train_datadir → \(display)/\(rel(train)), test_datadir → \(display)/\(rel(test)))"
        if rel(train) != "train" || rel(test) != "val" {
            note += "; the folder dataset reads data_dir/train and data_dir/val: link the file's folders there or --set data_dir=ROOT"
        }
        return (display, note)
    }

    /// `LINE:COLUMN: malformed YAML: problem` from a Yams error (one line).
    static func yamlErrorLine(_ e: YamlError) -> String {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            return "\(mark.line):\(mark.column): malformed YAML: \(problem)\(ctx)"
        case let .reader(problem, offset, _, _):
            return " malformed YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")"
        default:
            let first = e.description.split(separator: "\n").first.map(String.init) ?? "\(e)"
            return " malformed YAML: \(first)"
        }
    }
}
