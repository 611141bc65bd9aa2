import Foundation
import Testing
import TensorCore
import Data
import SSL

/// The `full` preset (ResNet-18, CIFAR stem, 2048×3 projector) on CIFAR-10 files and the `paper`
/// preset (ResNet-50) on an image folder, both written by the test; tiny batches and subsets.
@Suite(.serialized) struct FullScaleTests {
    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "unigrad-full-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Five training batches of 4 and a test batch of 10 colour shapes in CIFAR-10's binary format.
    func writeCIFAR() throws -> String {
        let dir = temporaryDirectory()
        for (k, name) in (CIFAR10.Split.train.fileNames + CIFAR10.Split.test.fileNames).enumerated() {
            let d = SyntheticShapes.color32.dataset(count: name == "test_batch.bin" ? 10 : 4, seed: UInt64(100 + k))
            try FileBytes.write(CIFAR10.encodeBatch(d), to: "\(dir)/\(name)")
        }
        return dir
    }

    @Test func fullPresetTrainsOnCIFARFilesAndResumesExactly() throws {
        let dir = try writeCIFAR()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = Presets.config("full")!
        try config.apply(assignments: ["data_dir=\(dir)", "batch=2", "subset=4", "epochs=2", "eval_every=0",
                                       "eval_bank=4", "workers=2", "knn_k=3"])
        let data = try RunFactory.loadData(config)
        #expect(data.train.count == 4 && data.test.count == 10 && data.train.channels == 3)
        #expect(data.train.height == 32 && !data.train.isFileBacked)

        let straight = try TrainingRun(config: config, data: data)
        #expect(straight.trainer.model.encoder.parameters.reduce(0) { $0 + $1.value.count } > 11_000_000)   // ResNet-18
        try straight.run(untilStep: 3)

        let first = try TrainingRun(config: config, data: data)
        try first.run(untilStep: 1)
        let store = CheckpointStore(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        try store.save(first.trainer, config: config)
        let resumed = try TrainingRun(config: config, data: data)
        try store.load(into: resumed.trainer, config: config)
        try resumed.run(untilStep: 3)

        let a = straight.trainer.snapshot(), b = resumed.trainer.snapshot()
        #expect(Set(a.tensors.keys) == Set(b.tensors.keys))
        for (name, t) in a.tensors {
            let other = b.tensors[name]?.scalars ?? []
            let same = other == t.scalars
            let gap = other.count == t.count ? zip(other, t.scalars).map { abs($0 - $1) }.max() ?? 0 : .infinity
            #expect(same, "\(name) differs after resume (max |Δ| \(gap))")   // no value dumps: tensors of millions
        }
        #expect(a.history.map(\.loss) == b.history.map(\.loss))
        #expect(a.history.allSatisfy { $0.loss.isFinite && $0.dataSeconds >= 0 })
        #expect(straight.epochs.count == 1 && straight.epochs[0].dataWaitSeconds >= 0)
        let m = try straight.monitor()
        #expect(m.knn >= 0 && m.knn <= 100 && m.test.shape == [10, 512])
    }

    @Test func paperPresetRunsOnAnImageFolder() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try SyntheticImageFolder(size: 72, trainPerClass: 2, valPerClass: 1, format: .mixed, seed: 3).write(to: root)
        var config = Presets.config("paper")!
        // ResNet-50 and the 2048×3 projector as in the paper, at 64 px to keep the test fast.
        try config.apply(assignments: ["data_dir=\(root)", "image_size=64", "batch=2", "max_steps=2", "eval_every=0",
                                       "workers=2", "knn_k=3"])
        let log = DataWarningLog.silent()
        let data = try RunFactory.loadData(config, log: log)
        #expect(data.train.count == 20 && data.test.count == 10 && data.train.isFileBacked && log.messages.isEmpty)
        #expect(data.normalization == .imageNet)
        let run = try TrainingRun(config: config, data: data)
        #expect(run.trainer.model.encoder.parameters.reduce(0) { $0 + $1.value.count } > 23_000_000)   // ResNet-50
        try run.run()
        #expect(run.trainer.step == 2 && run.trainer.history.allSatisfy { $0.loss.isFinite })
        let m = try run.monitor()
        #expect(m.test.shape == [10, 2048] && m.knn >= 0 && m.knn <= 100)
    }

    @Test func aMissingOrEmptyFolderIsAOneLineError() throws {
        var config = Presets.config("paper")!
        for dir in ["", "/nonexistent/imagenet"] {
            config.dataDir = dir
            do {
                _ = try RunFactory.loadData(config, log: .silent())
                Issue.record("loading folder '\(dir)' should fail")
            } catch {
                let text = "\(error)"
                #expect(!text.contains("\n") && (dir.isEmpty ? text.contains("data_dir") : text.contains("/nonexistent/imagenet/train")), "\(text)")
            }
        }
    }

    @Test func aConfigWrittenBeforeNewKeysStillLoads() throws {
        var config = Presets.config("full")!
        config.workers = 3
        var object = try JSONSerialization.jsonObject(with: Data(config.json().utf8)) as! [String: Any]
        object.removeValue(forKey: "workers")
        let old = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let loaded = try TrainingConfig.fromJSON(old)
        #expect(loaded.workers == 0 && loaded.encoder == "resnet18")
        #expect(throws: ConfigError.self) { try TrainingConfig.fromJSON("{\"preset\": 3}") }
    }
}
