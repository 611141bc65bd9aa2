import ArgumentParser
import Foundation
import Layers
import SSL
import TensorCore
import Lab

/// `unigrad experiment table1|table2|figure2`: the paper's comparisons at small scale, resumable.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Reproduce the paper's Table 1, Table 2 or Figure 2 at small scale (resumable).",
        discussion: """
        table1   every gradient form, momentum target: (a) moco (b) simclr (c) byol (d) byol-directpred
                 (e) byol-grad (f) barlow (g) barlow-grad (h) barlow-l2 (i) vicreg (j) vicreg-grad, unigrad
        table2   simclr, byol-grad, vicreg-grad, unigrad × target stopgrad | momentum | momentum-positive
        figure2  loss, positive similarity, kNN accuracy and effective rank over training for moco, simclr,
                 byol-grad, barlow-l2, vicreg-grad, unigrad (terminal plots and SVG files in --out)

        Default schedule on the `small` preset: 3 epochs on the first 20000 Fashion-MNIST images
        (468 steps of 128 per row); table1 (11 rows) takes about an hour on an idle 2-core machine.
        Other presets keep their own epochs and all images. Each run is checkpointed in
        OUT/runs/<method>-<target>-seed<k>/; running the same command again continues where it
        stopped and never retrains a finished run. The experiments share runs in the same OUT:
        after table1, table2 trains only its stopgrad and momentum-positive columns and figure2
        trains nothing. Results: OUT/<name>.md, OUT/<name>.csv (mean ± std over seeds),
        OUT/<name>-runs.csv (every run), OUT/runs/*/result.json, OUT/figure2-*.svg.

        Examples:
          unigrad experiment table1
          unigrad experiment table2 --seeds 3 --out experiments/seeds3
          unigrad experiment figure2 --epochs 2 --subset 10000
          unigrad experiment table1 --preset tiny --epochs 1
        """)

    @Argument(help: "table1 | table2 | figure2")
    var name: String
    @Option(help: "tiny | small | full | paper")
    var preset = "small"
    @Option(help: "Training epochs per run (default: 3 on small, the preset's otherwise).")
    var epochs: Int?
    @Option(help: "Train on the first N training images (default: 20000 on small, all otherwise; 0: all).")
    var subset: Int?
    @Option(help: "Seeds per row; several give mean ± sample std.")
    var seeds = 1
    @Option(help: "Output folder, shared by the experiments (default: experiments/<preset>).")
    var out: String?
    @Option(name: .customLong("set"), help: "key=value for every row (config keys) or the rows whose method has the key (repeatable).")
    var assignments: [String] = []
    @Option(help: "Curve points per epoch (kNN on a reduced bank each time).")
    var pointsPerEpoch = 4

    func run() throws {
        AllocatorTuning.keepFreedMemory()
        do {
            try runExperiment()
        } catch let e as ExitCode {
            throw e
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func runExperiment() throws {
        guard let experiment = Experiment.named(name) else { throw ExperimentError.unknownExperiment(name) }
        guard seeds >= 1 else { throw ConfigError("--seeds must be ≥ 1, got \(seeds)") }
        guard pointsPerEpoch >= 1 else { throw ConfigError("--points-per-epoch must be ≥ 1, got \(pointsPerEpoch)") }
        let settings = ExperimentSettings(preset: preset, epochs: epochs, subset: subset, seeds: seeds,
                                          assignments: assignments, curvePointsPerEpoch: pointsPerEpoch)
        let base = try settings.baseConfig()
        if base.threads > 0 { BLASThreads.set(base.threads) }
        KernelThreading.followBLASThreads()
        let directory = out ?? "experiments/\(preset)"
        let runner = ExperimentRunner(experiment: experiment, settings: settings, outputDirectory: directory)
        let log = ProgressPrinter(interactive: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        log.line("unigrad experiment \(name): output in \(directory)")
        runner.log = { log.line($0) }
        var started = Date(), current = "", resumedAt = 0
        runner.onStep = { row, k, record, total in
            let key = "\(row.id)-\(k)"
            if key != current { current = key; started = Date(); resumedAt = record.step }
            log.step(record, total: total, started: started, resumedAt: resumedAt)
        }
        signal(SIGINT) { _ in
            if ExperimentCommand.interrupt.isRaised { _exit(130) }
            ExperimentCommand.interrupt.raise()
        }
        runner.shouldStop = { ExperimentCommand.interrupt.isRaised }
        guard let table = try runner.run() else {
            log.line("stopped; run the same command again to continue")
            throw ExitCode(130)
        }
        log.line("")
        log.line(table.markdown())
        if experiment.recordsCurves {
            let figure = ExperimentFigure(results: table.results, rows: experiment.rows)
            log.line(figure.terminalText())
            for path in try figure.writeSVGs(directory: directory) { log.line("wrote \(path)") }
        }
        let files = runner.tableFiles
        log.line("wrote \(files.markdown), \(files.csv), \(files.runs)")
    }

    /// Set by Ctrl-C: the first stops after the current step (checkpointing), the second exits.
    static let interrupt = InterruptFlag()
}
