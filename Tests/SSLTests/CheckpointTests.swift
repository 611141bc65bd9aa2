import Foundation
import Testing
import TensorCore
import Checkpoints
import SSL

@Suite(.serialized) struct CheckpointTests {
    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "unigrad-ckpt-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func checkpointRoundTripsBitExactly() throws {
        var config = TestConfigs.tiny(method: "moco")
        config.maxSteps = 3
        let run = try TrainingRun(config: config)
        try run.run()
        let store = CheckpointStore(directory: temporaryDirectory())
        try store.save(run.trainer, config: config)
        let (snapshot, stored) = try CheckpointStore.read(from: store.path)
        #expect(stored == config)
        let original = run.trainer.snapshot()
        #expect(snapshot.step == 3 && snapshot.methodStep == original.methodStep)
        #expect(Set(snapshot.tensors.keys) == Set(original.tensors.keys))
        #expect(snapshot.tensors.keys.contains("method.queue"))
        #expect(snapshot.tensors.keys.contains { $0.hasPrefix("optimizer.") })
        for (name, t) in original.tensors {
            #expect(snapshot.tensors[name]!.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern), "\(name)")
        }
        #expect(snapshot.history == original.history)
    }

    /// Train 6 steps straight, or 3 steps, checkpoint, rebuild everything from the config, load and
    /// train 3 more: the parameters are identical (the batches depend only on seed, epoch, index).
    @Test(arguments: ["unigrad", "simclr", "byol-directpred"])
    func resumeEqualsAnUninterruptedRun(_ method: String) throws {
        var config = TestConfigs.tiny(method: method)
        config.epochs = 1
        let straight = try TrainingRun(config: config)
        try straight.run(untilStep: 6)

        let first = try TrainingRun(config: config)
        try first.run(untilStep: 3)
        let store = CheckpointStore(directory: temporaryDirectory())
        try store.save(first.trainer, config: config)
        let resumed = try TrainingRun(config: config)
        try store.load(into: resumed.trainer, config: config)
        try resumed.run(untilStep: 6)

        let a = straight.trainer.snapshot(), b = resumed.trainer.snapshot()
        #expect(Set(a.tensors.keys) == Set(b.tensors.keys))
        for (name, t) in a.tensors {
            #expect(b.tensors[name]!.scalars == t.scalars, "\(method): \(name) differs after resume")
        }
        #expect(a.history.map(\.loss) == b.history.map(\.loss))
    }

    @Test func aCorruptOrForeignCheckpointIsAOneLineErrorAndLeavesTheTrainerAlone() throws {
        let config = TestConfigs.tiny()
        let run = try TrainingRun(config: config)
        let before = run.trainer.snapshot()
        let dir = temporaryDirectory()
        let store = CheckpointStore(directory: dir)
        // Truncated file.
        try store.save(run.trainer, config: config)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: store.path))
        #expect(throws: TrainingError.self) { try store.load(into: run.trainer, config: config) }
        // A checkpoint of another method.
        var other = config
        other.method = "simclr"
        try store.save(run.trainer, config: other)
        do {
            try store.load(into: run.trainer, config: config)
            Issue.record("loading a simclr checkpoint into a unigrad run should fail")
        } catch {
            #expect("\(error)".contains("simclr") && !"\(error)".contains("\n"))
        }
        // A safetensors file that is not ours.
        try SafeTensors(tensors: ["w": SafeTensor(Tensor<Float>.zeros([2]))]).write(to: store.path)
        #expect(throws: TrainingError.self) { try store.load(into: run.trainer, config: config) }
        #expect(run.trainer.snapshot().tensors == before.tensors)
    }

    @Test func aFailedWriteKeepsTheExistingCheckpoint() throws {
        let config = TestConfigs.tiny()
        let run = try TrainingRun(config: config)
        let store = CheckpointStore(directory: temporaryDirectory())
        try store.save(run.trainer, config: config)
        let good = try Data(contentsOf: URL(fileURLWithPath: store.path))
        // Writing into a path whose directory is a file fails; the old checkpoint stays.
        let blocked = store.path + ".d/checkpoint.safetensors"
        FileManager.default.createFile(atPath: store.path + ".d", contents: Data("x".utf8))
        #expect(throws: TrainingError.self) {
            try CheckpointStore.write(run.trainer.snapshot(), config: config, to: blocked)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == good)
    }
}
