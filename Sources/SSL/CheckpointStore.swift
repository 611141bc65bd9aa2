import Foundation
import TensorCore
import Checkpoints

/// A run's checkpoint: `DIR/checkpoint.safetensors`, holding the trainer snapshot (every
/// parameter and buffer of both branches, the optimizer's buffers, `F`, the queue) as `F32`
/// tensors, the step counters as `I64`, and in the metadata the run's config and step history as
/// JSON. Written atomically (temporary file, `fsync`, `rename`), so an interrupted or failed
/// write leaves the previous checkpoint intact. Readable by any safetensors reader.
public struct CheckpointStore: Sendable {
    public static let format = "unigrad-lab-checkpoint-1"
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The checkpoint file.
    public var path: String { (directory as NSString).appendingPathComponent("checkpoint.safetensors") }

    /// Whether a checkpoint exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Writes the trainer's state.
    public func save(_ trainer: Trainer, config: TrainingConfig) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.write(trainer.snapshot(), config: config, to: path)
    }

    /// Writes a snapshot to a safetensors file at `path`.
    public static func write(_ s: TrainerSnapshot, config: TrainingConfig, to path: String) throws {
        var file = SafeTensors()
        for (name, t) in s.tensors { file.tensors[name] = SafeTensor(t) }
        file.tensors["state.step"] = SafeTensor(int64: [Int64(s.step), Int64(s.methodStep)])
        let history = (try? JSONEncoder().encode(s.history)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        file.metadata = ["format": format, "config": config.json(), "history": history,
                         "method": config.method, "step": String(s.step)]
        do {
            try file.write(to: path)
        } catch {
            throw TrainingError.checkpoint("cannot write checkpoint \(path): \(error.description)")
        }
    }

    /// Reads a snapshot and the config stored with it.
    public static func read(from path: String) throws -> (TrainerSnapshot, TrainingConfig) {
        let file: SafeTensors
        do {
            file = try SafeTensors.read(from: path)
        } catch {
            throw TrainingError.checkpoint(error.description)
        }
        guard file.metadata["format"] == format, let configText = file.metadata["config"] else {
            throw TrainingError.checkpoint("\(path) is a safetensors file but not a UniGrad Lab checkpoint")
        }
        let config = try TrainingConfig.fromJSON(configText)
        switch Result(catching: { () throws(CheckpointError) -> TrainerSnapshot in try snapshot(from: file) }) {
        case .success(let s): return (s, config)
        case .failure(let e): throw TrainingError.checkpoint("\(path): \(e.description)")
        }
    }

    private static func snapshot(from file: SafeTensors) throws(CheckpointError) -> TrainerSnapshot {
        var tensors: [String: Tensor<Float>] = [:]
        for name in file.tensors.keys where name != "state.step" {
            tensors[name] = try file.tensor(name, as: Float.self)
        }
        let steps = try file.int64s("state.step", shape: [2])
        let history = file.metadata["history"].flatMap { try? JSONDecoder().decode([StepRecord].self, from: Data($0.utf8)) } ?? []
        return TrainerSnapshot(tensors: tensors, step: Int(steps[0]), methodStep: Int(steps[1]), history: history)
    }

    /// Restores the checkpoint into `trainer`; the stored config must describe the same run
    /// (method, target branch and architecture).
    public func load(into trainer: Trainer, config: TrainingConfig) throws {
        let (snapshot, stored) = try Self.read(from: path)
        for (what, a, b) in [("method", stored.method, config.method), ("target", stored.target.rawValue, config.target.rawValue),
                             ("encoder", stored.encoder, config.encoder)] where a != b {
            throw TrainingError.checkpoint("the checkpoint in \(directory) is for \(what) '\(a)', not '\(b)'")
        }
        try trainer.restore(snapshot)
    }
}
