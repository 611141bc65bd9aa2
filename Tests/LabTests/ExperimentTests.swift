import Foundation
import Testing
import SSL
@testable import Lab

/// Experiments end to end on the `tiny` preset shrunk to seconds: tables written from the runs'
/// results, resumption after an interruption, mean ± std over seeds, figure curves.
@Suite struct ExperimentTests {
    /// 256 synthetic training images (8 steps of 32 per epoch), 128 test images, small widths.
    static func settings(seeds: Int = 1, epochs: Int = 1) -> ExperimentSettings {
        ExperimentSettings(preset: "tiny", epochs: epochs, subset: 0, seeds: seeds,
                           assignments: ["synthetic_train=256", "synthetic_test=128", "batch=32", "knn_k=20",
                                         "projector_hidden=64", "projector_out=32", "linear_epochs=3"],
                           curvePointsPerEpoch: 2, curveBank: 128, curveTest: 64, checkpointEvery: 3)
    }

    static let twoRows = Experiment(name: "test", title: "two rows", rows: [
        ExperimentRow(id: "a-unigrad", method: "unigrad", change: "first"),
        ExperimentRow(id: "b-simclr", method: "simclr", change: "second, with a comma"),
    ])

    static func temporaryDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unigrad-experiment-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func result(_ dir: String, _ run: String) throws -> ExperimentRunResult {
        let data = try #require(FileManager.default.contents(atPath: "\(dir)/runs/\(run)/result.json"))
        return try JSONDecoder.experiment.decode(ExperimentRunResult.self, from: data)
    }

    /// Splits CSV text into records of fields (RFC 4180 quoting).
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], fields: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { fields.append(field); field = "" }
            else if c == "\n" { fields.append(field); records.append(fields); fields = []; field = "" }
            else { field.append(c) }
        }
        return records
    }

    @Test func twoRowsRunEndToEndAndWriteTheirOwnNumbers() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = ExperimentRunner(experiment: Self.twoRows, settings: Self.settings(), outputDirectory: dir)
        let table = try #require(try runner.run())
        #expect(runner.outcomes.map(\.kind) == [.trained, .trained])
        #expect(runner.outcomes.map(\.stepsTrained) == [8, 8])

        let a = try Self.result(dir, "unigrad-momentum-seed0"), b = try Self.result(dir, "simclr-momentum-seed0")
        #expect(a.method == "unigrad" && b.method == "simclr" && a.steps == 8 && b.steps == 8)
        #expect(a.parameters.contains("lambda=5"))   // Presets.methodDefaults(tiny, unigrad)
        for r in [a, b] {
            #expect(r.knnTop1 > 10 && r.knnTop1 <= 100)   // 5 shape classes (chance 20%)
            #expect(r.linearTop1 > 10 && r.linearTop1 <= 100)
            #expect(r.effectiveRank > 1 && r.effectiveRank <= 256)
        }

        let csv = Self.parseCSV(try String(contentsOfFile: "\(dir)/test.csv", encoding: .utf8))
        #expect(csv.count == 3)
        let header = csv[0]
        #expect(header.count == 14 && csv.allSatisfy { $0.count == header.count })
        func column(_ name: String, _ line: [String]) -> String { line[header.firstIndex(of: name)!] }
        for (line, r) in zip(csv.dropFirst(), [a, b]) {
            #expect(column("row", line) == r.row)
            #expect(Double(column("knn_top1_mean", line)) == r.knnTop1)
            #expect(Double(column("linear_top1_mean", line)) == r.linearTop1)
            #expect(Double(column("effective_rank_mean", line)) == r.effectiveRank)
            #expect(column("knn_top1_std", line) == "")   // one seed: no std
        }
        #expect(column("change", csv[2]) == "second, with a comma")

        let runs = Self.parseCSV(try String(contentsOfFile: "\(dir)/test-runs.csv", encoding: .utf8))
        #expect(runs.count == 3 && runs[1][0] == "a-unigrad" && runs[2][0] == "b-simclr")

        let md = try String(contentsOfFile: "\(dir)/test.md", encoding: .utf8)
        #expect(md == table.markdown())
        #expect(md.contains("| a-unigrad | `unigrad` | momentum | first | \(String(format: "%.2f", a.knnTop1)) | \(String(format: "%.2f", a.linearTop1)) |"))
        #expect(md.contains("| b-simclr | `simclr` | momentum |"))
        #expect(md.contains("lambda=5") && md.contains("tau=0.2") && md.contains("baselines: kNN on raw pixels"))
    }

    @Test func anInterruptedExperimentResumesWithoutRetrainingFinishedRows() throws {
        let dir = Self.temporaryDirectory(), reference = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: reference) }
        // Stop in the middle of the second row, after 5 of its 8 steps.
        let flag = InterruptFlag()
        let first = ExperimentRunner(experiment: Self.twoRows, settings: Self.settings(), outputDirectory: dir)
        first.onStep = { row, _, record, _ in if row.id == "b-simclr" && record.step == 4 { flag.raise() } }
        first.shouldStop = { flag.isRaised }
        #expect(try first.run() == nil)
        #expect(first.outcomes.map(\.kind) == [.trained, .interrupted(atStep: 5)])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/test.csv"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/runs/simclr-momentum-seed0/result.json"))
        let finishedBefore = try Self.result(dir, "unigrad-momentum-seed0")
        let modifiedBefore = try FileManager.default.attributesOfItem(atPath: "\(dir)/runs/unigrad-momentum-seed0/result.json")[.modificationDate] as? Date

        let second = ExperimentRunner(experiment: Self.twoRows, settings: Self.settings(), outputDirectory: dir)
        var trainedRows: Set<String> = []
        second.onStep = { row, _, _, _ in trainedRows.insert(row.id) }
        #expect(try second.run() != nil)
        #expect(second.outcomes.map(\.kind) == [.alreadyFinished, .resumed(fromStep: 5)])
        #expect(second.outcomes.map(\.stepsTrained) == [0, 3])
        #expect(trainedRows == ["b-simclr"])
        #expect(try Self.result(dir, "unigrad-momentum-seed0") == finishedBefore)
        let modifiedAfter = try FileManager.default.attributesOfItem(atPath: "\(dir)/runs/unigrad-momentum-seed0/result.json")[.modificationDate] as? Date
        #expect(modifiedAfter == modifiedBefore)

        // The resumed run follows the uninterrupted trajectory.
        let uninterrupted = ExperimentRunner(experiment: Self.twoRows, settings: Self.settings(), outputDirectory: reference)
        try uninterrupted.run()
        let resumed = try Self.result(dir, "simclr-momentum-seed0"), straight = try Self.result(reference, "simclr-momentum-seed0")
        #expect(resumed.steps == 8)
        #expect(resumed.finalLoss == straight.finalLoss)
        #expect(resumed.knnTop1 == straight.knnTop1)
        #expect(resumed.effectiveRank == straight.effectiveRank)
    }

    /// Runs are named by what they train, so another experiment in the same folder reuses a
    /// finished run (under its own row id) and trains only the runs it does not share.
    @Test func experimentsInOneFolderShareTheirRuns() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ExperimentRunner(experiment: Self.twoRows, settings: Self.settings(), outputDirectory: dir).run()
        let trained = try Self.result(dir, "unigrad-momentum-seed0")
        let columns = Experiment(name: "targets", title: "one method, two targets", rows: [
            ExperimentRow(id: "unigrad-stopgrad", method: "unigrad", target: .stopgrad),
            ExperimentRow(id: "unigrad-momentum", method: "unigrad", target: .momentum),
        ], recordsCurves: true)
        let second = ExperimentRunner(experiment: columns, settings: Self.settings(), outputDirectory: dir)
        let table = try #require(try second.run())
        #expect(second.outcomes.map(\.kind) == [.trained, .alreadyFinished])
        #expect(second.outcomes.map(\.stepsTrained) == [8, 0])
        let shared = try #require(table.results.first { $0.row == "unigrad-momentum" })
        #expect(shared.knnTop1 == trained.knnTop1 && shared.finalLoss == trained.finalLoss)
        #expect(try Self.result(dir, "unigrad-stopgrad-seed0").target == "stopgrad")
        // Both tables live side by side; the curves of the shared run were recorded by the first.
        #expect(FileManager.default.fileExists(atPath: "\(dir)/test.md") && FileManager.default.fileExists(atPath: "\(dir)/targets.md"))
        #expect(trained.curve.map(\.step) == [4, 8])
        let md = try String(contentsOfFile: "\(dir)/targets.md", encoding: .utf8)
        #expect(md.contains("| unigrad-momentum | `unigrad` | momentum |") && md.contains("| unigrad-stopgrad | `unigrad` | stopgrad |"))
    }

    /// Two experiments training in one folder at once: a run whose lock another process holds is
    /// waited for, not trained a second time alongside it.
    @Test func aRunLockedByAnotherTrainerIsWaitedFor() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = Experiment(name: "one", title: "one row", rows: [ExperimentRow(id: "u", method: "unigrad")])
        nonisolated(unsafe) let runner = ExperimentRunner(experiment: one, settings: Self.settings(), outputDirectory: dir)
        let runDir = runner.runDirectory(row: one.rows[0], seed: 0)
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let held = try RunLock(directory: runDir) {}
        let waiting = InterruptFlag(), finished = DispatchSemaphore(value: 0)
        runner.log = { if $0.contains("waiting for the process training \(runDir)") { waiting.raise() } }
        Thread { _ = try? runner.run(); finished.signal() }.start()
        let deadline = Date().addingTimeInterval(120)
        while !waiting.isRaised && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(waiting.isRaised)
        #expect(!FileManager.default.fileExists(atPath: "\(runDir)/checkpoint.safetensors"))   // nothing trained while locked
        held.release()
        finished.wait()
        #expect(runner.outcomes.map(\.kind) == [.trained])
        #expect(try Self.result(dir, "unigrad-momentum-seed0").steps == 8)
    }

    @Test func meanAndSampleStandardDeviation() {
        let two = MeanStd([1, 3])
        #expect(two.mean == 2 && two.std == 2.0.squareRoot() && two.count == 2)
        #expect(two.formatted() == "2.00 ± 1.41")
        let one = MeanStd([81.234])
        #expect(one.std == nil && one.formatted() == "81.23")
        let four = MeanStd([2, 4, 4, 4, 5, 5, 7, 9])   // Σ(x−5)² = 32, /7
        #expect(four.mean == 5 && abs(four.std! - (32.0 / 7).squareRoot()) < 1e-15)
    }

    @Test func twoSeedsGiveMeanAndStdOfTheirRunsAndFigureCurves() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let experiment = Experiment(name: "curves", title: "one row, two seeds",
                                    rows: [ExperimentRow(id: "unigrad", method: "unigrad")], recordsCurves: true)
        let runner = ExperimentRunner(experiment: experiment, settings: Self.settings(seeds: 2), outputDirectory: dir)
        let table = try #require(try runner.run())
        let r0 = try Self.result(dir, "unigrad-momentum-seed0"), r1 = try Self.result(dir, "unigrad-momentum-seed1")
        #expect(r1.seed == r0.seed + 1)
        #expect(r0.knnTop1 != r1.knnTop1 || r0.finalLoss != r1.finalLoss)   // different seeds, different runs
        let csv = Self.parseCSV(try String(contentsOfFile: "\(dir)/curves.csv", encoding: .utf8))
        let header = csv[0], line = csv[1]
        func value(_ name: String) -> Double { Double(line[header.firstIndex(of: name)!])! }
        #expect(line[header.firstIndex(of: "seeds")!] == "2")
        #expect(abs(value("knn_top1_mean") - (r0.knnTop1 + r1.knnTop1) / 2) < 1e-12)
        #expect(abs(value("knn_top1_std") - abs(r0.knnTop1 - r1.knnTop1) / 2.0.squareRoot()) < 1e-12)
        #expect(abs(value("effective_rank_std") - abs(r0.effectiveRank - r1.effectiveRank) / 2.0.squareRoot()) < 1e-12)
        #expect(table.lines[0].knn?.formatted().contains(" ± ") == true)

        // Curves: 2 points per epoch (after steps 4 and 8), with finite metrics.
        #expect(r0.curve.map(\.step) == [4, 8] && r0.curve.map(\.epoch) == [0.5, 1])
        #expect(r0.curve.allSatisfy { $0.loss.isFinite && $0.knnTop1 > 0 && $0.effectiveRank > 1 })
        let figure = ExperimentFigure(results: table.results, rows: experiment.rows)
        let loss = figure.series(ExperimentFigure.metrics[0])[0].points
        #expect(loss.map(\.x) == [0.5, 1] && abs(loss[1].y - (r0.curve[1].loss + r1.curve[1].loss) / 2) < 1e-12)
        #expect(figure.terminalText().contains("unigrad: "))
        let paths = try figure.writeSVGs(directory: dir)
        #expect(paths.count == 4)
        let svg = try String(contentsOfFile: paths[2], encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.contains(">unigrad</text>"))
    }

    @Test func aDivergedRowIsRecordedAndTheExperimentGoesOn() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let experiment = Experiment(name: "test", title: "one diverging row", rows: [
            ExperimentRow(id: "hot", method: "unigrad", change: "lr far too high", assignments: ["lr=1e30"]),
            ExperimentRow(id: "fine", method: "unigrad"),
        ])
        let runner = ExperimentRunner(experiment: experiment, settings: Self.settings(), outputDirectory: dir)
        let table = try #require(try runner.run())
        guard case .failed(let step) = runner.outcomes[0].kind else {
            Issue.record("expected the first run to diverge, got \(runner.outcomes[0].kind)")
            return
        }
        #expect(step < 8 && runner.outcomes[1].kind == .trained)
        let hot = try Self.result(dir, "unigrad-momentum-lr_1e30-seed0")
        #expect(hot.failure?.contains("training stopped at step") == true && hot.knnTop1.isNaN)
        #expect(table.lines[0].knn == nil && table.lines[0].diverged == 1 && table.lines[1].knn != nil)
        #expect(table.markdown().contains("| hot | `unigrad` | momentum | lr far too high | diverged | diverged | diverged |"))
        let csv = Self.parseCSV(try String(contentsOfFile: "\(dir)/test.csv", encoding: .utf8))
        #expect(csv[1][5] == "1" && csv[1][6] == "" && csv[2][5] == "0")

        let again = ExperimentRunner(experiment: experiment, settings: Self.settings(), outputDirectory: dir)
        try again.run()
        #expect(again.outcomes.map(\.kind) == [.alreadyFinished, .alreadyFinished])
        // Other settings in the same folder are refused rather than mixed in.
        let other = ExperimentRunner(experiment: experiment, settings: Self.settings(epochs: 2), outputDirectory: dir)
        #expect(throws: ExperimentError.changedSettings(directory: "\(dir)/runs/unigrad-momentum-lr_1e30-seed0")) { try other.run() }
        // A damaged result is a one-line error, not a crash or a silent retrain.
        try Data("{\"row\": 1".utf8).write(to: URL(fileURLWithPath: "\(dir)/runs/unigrad-momentum-seed0/result.json"))
        let damaged = ExperimentRunner(experiment: experiment, settings: Self.settings(), outputDirectory: dir)
        #expect(throws: ExperimentError.corruptResult(path: "\(dir)/runs/unigrad-momentum-seed0/result.json")) { try damaged.run() }
    }

    @Test func unknownNamesAndSettingsAreOneLineErrors() throws {
        #expect(Experiment.named("table3") == nil)
        #expect(ExperimentError.unknownExperiment("table3").description == "unknown experiment 'table3'; valid: table1, table2, figure2")
        let bad = ExperimentSettings(preset: "tiny", assignments: ["lamda=3"])
        #expect(throws: ConfigError.self) { try bad.validate(for: .table1) }
        #expect(throws: ConfigError.self) { try ExperimentSettings(preset: "huge").baseConfig() }
        // A method key applies only to the rows whose method has it.
        let s = ExperimentSettings(preset: "tiny", assignments: ["tau=0.5"])
        try s.validate(for: .table1)
        #expect(try s.config(for: Experiment.table1.rows[1], seed: 0).methodParameters["tau"] == 0.5)
        #expect(try s.config(for: Experiment.table1.rows[10], seed: 0).methodParameters["tau"] == nil)
        #expect(try s.config(for: Experiment.table1.rows[2], seed: 1).predictorHidden == 256)
        #expect(try s.config(for: Experiment.table1.rows[2], seed: 1).seed == 43)
        // The method's preset settings apply per row, and the user's --set wins over them.
        let vicreg = Experiment.table1.rows[8]
        #expect(vicreg.method == "vicreg")
        #expect(try s.config(for: vicreg, seed: 0).baseLR == 0.05)
        #expect(try ExperimentSettings(preset: "tiny", assignments: ["lr=0.2"]).config(for: vicreg, seed: 0).baseLR == 0.2)
    }
}
