import Foundation
import TensorCore
import Data
import Eval
import SSL

extension Session {
    /// Takes `count` training steps on the configured batch stream (batches depend only on the
    /// seed, the epoch and the index, so `undo` then `step` repeats the same trajectory).
    /// Stops cleanly after the current step on Ctrl-C. Returns the records of the steps taken.
    @discardableResult
    func trainSteps(_ count: Int, verb: String) throws -> [StepRecord] {
        let t = try ensureTrainer()
        let d = try ensureData()
        let c = config
        guard d.train.count >= c.batchSize else {
            throw LabError("the batch setting (\(c.batchSize)) is larger than the training set (\(d.train.count) images)")
        }
        let loader = BatchLoader(dataset: d.train, pipeline: RunFactory.pipeline(c, normalization: d.normalization),
                                 batchSize: c.batchSize, seed: c.seed)
        let perEpoch = loader.batchesPerEpoch
        state.undoStack.append(t.snapshot())
        if state.undoStack.count > 8 { state.undoStack.removeFirst() }
        let start = Date(), firstStep = t.step
        var records: [StepRecord] = []
        let every = max(1, count / 4)
        for k in 0..<count {
            let b = loader.batch(epoch: t.step / perEpoch, index: t.step % perEpoch)
            let r: StepRecord
            do {
                r = try t.trainStep(b.view1, b.view2)
            } catch let e as TrainingError {
                state.analysis = nil
                if !records.isEmpty && isTerminal { write("\n") }
                throw LabError(e.description)
            }
            records.append(r)
            state.analysis = nil
            if isTerminal {
                let width = 24, filled = (k + 1) * width / count
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                let rate = Double(k + 1) / max(Date().timeIntervalSince(start), 1e-9)
                write("\r\u{1B}[2K[\(bar)] \(k + 1)/\(count)  step \(t.step)  loss \(TextFormat.number(r.loss))  pos sim \(TextFormat.number(r.positiveSimilarity))  \(String(format: "%.1f", rate)) steps/s")
            } else if count > 1 && ((k + 1) % every == 0 || k + 1 == count) {
                print("  step \(t.step)  epoch \(r.epoch + 1)  loss \(TextFormat.number(r.loss))  pos sim \(TextFormat.number(r.positiveSimilarity))  lr \(TextFormat.number(r.learningRate))")
            }
            if t.step % perEpoch == 0 && c.evalEvery > 0 && verb == "train" && k + 1 < count {
                if isTerminal { write("\n") }
                let p = try evaluate(printing: false)
                print("  epoch \(t.step / perEpoch) done: kNN top-1 \(String(format: "%.1f", p.knnTop1))%  effective rank \(TextFormat.number(p.effectiveRank))")
            }
            if interrupt.isRaised { break }
        }
        if isTerminal { write("\n") }
        let seconds = Date().timeIntervalSince(start)
        if let first = records.first, let last = records.last {
            print("\(verb): \(records.count) step\(records.count == 1 ? "" : "s") (\(firstStep) → \(t.step)) in \(String(format: "%.2f", seconds)) s; loss \(TextFormat.number(first.loss)) → \(TextFormat.number(last.loss)); pos sim \(TextFormat.number(first.positiveSimilarity)) → \(TextFormat.number(last.positiveSimilarity))")
        }
        if interrupt.isRaised && records.count < count {
            print("stopped by Ctrl-C after step \(t.step) (every step taken is complete; 'undo' goes back to step \(firstStep))")
        }
        return records
    }

    /// A `TrainingRun` around the session's model, for its evaluation helpers.
    func evaluationRun() throws -> TrainingRun {
        let t = try ensureTrainer()
        let d = try ensureData()
        do {
            return try TrainingRun(config: config, data: d, model: t.model, method: t.method)
        } catch let e as TrainingError {
            throw LabError(e.description)
        }
    }

    /// kNN accuracy and collapse metrics of the encoder's test features, recorded for the plots.
    @discardableResult
    func evaluate(printing: Bool = true) throws -> EvaluationPoint {
        let run = try evaluationRun()
        let t = try ensureTrainer()
        do {
            let m = try run.monitor()
            let p = EvaluationPoint(step: t.step, knnTop1: m.knn, effectiveRank: m.report.effectiveRank, featureStd: m.report.normalizedStd)
            state.evaluations.removeAll { $0.step == p.step }
            state.evaluations.append(p)
            state.evaluations.sort { $0.step < $1.step }
            state.spectrum = m.report.singularValues
            state.lastReport = m.report
            if printing {
                print("step \(p.step): kNN top-1 \(String(format: "%.2f", p.knnTop1))% (k \(config.knnK), \(run.data.test.count) test images)")
                print("  encoder features: effective rank \(TextFormat.number(p.effectiveRank)) of \(m.report.dimension), normalised std \(TextFormat.number(p.featureStd)) (healthy ≈ \(TextFormat.number(m.report.healthyStd)))")
            }
            return p
        } catch let e as EvalError {
            throw LabError(e.description)
        }
    }

    /// Restores a snapshot into the current trainer and forgets what depended on the old state.
    func restoreSnapshot(_ s: TrainerSnapshot) throws {
        let t = try ensureTrainer()
        do { try t.restore(s) } catch let e as TrainingError { throw LabError(e.description) }
        state.analysis = nil
        state.evaluations.removeAll { $0.step > s.step }
    }
}

extension Commands {
    /// Training, evaluation, undo and checkpoints.
    static func trainingCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("step", family: "training", usage: "step [N]", summary: "take N training steps (default 1)",
                    details: "Each step: forward both views, the method's gradient, backward, SGD update, momentum update.",
                    example: "step 5", arity: 0...1) { s, args in
                let n = try args.isEmpty ? 1 : args.int(0, "N", in: 1...1_000_000)
                let records = try s.trainSteps(n, verb: "step")
                if n == 1, let r = records.first {
                    s.print("  " + r.terms.keys.sorted().map { "\($0) \(TextFormat.number(r.terms[$0] ?? 0))" }.joined(separator: "  ")
                            + "  lr \(TextFormat.number(r.learningRate))  momentum \(TextFormat.number(r.momentum))")
                }
            },
            Command("train", family: "training", usage: "train [STEPS]",
                    summary: "train with a progress bar (default: to the end of the schedule); Ctrl-C stops after the current step",
                    details: "Evaluates kNN at each epoch end (eval_every) and at the end, for 'plot knn' and 'plot rank'.",
                    example: "train 100", arity: 0...1) { s, args in
                let t = try s.ensureTrainer()
                let n = try args.isEmpty ? t.totalSteps - t.step : args.int(0, "STEPS", in: 1...10_000_000)
                guard n > 0 else { throw LabError("the schedule is finished (step \(t.step) of \(t.totalSteps)); 'train N' takes more steps, 'set epochs' lengthens it") }
                let records = try s.trainSteps(n, verb: "train")
                // After Ctrl-C, back to the prompt at once ('eval' evaluates on demand).
                if !records.isEmpty && !s.interrupt.isRaised { try s.evaluate() }
            },
            Command("eval", aliases: ["knn"], family: "training", usage: "eval",
                    summary: "kNN accuracy and collapse metrics of the encoder on the test set",
                    example: "eval") { s, _ in
                try s.evaluate()
            },
            Command("probe", family: "training", usage: "probe", summary: "linear-probe accuracy on frozen encoder features (linear_epochs)",
                    example: "probe") { s, _ in
                let run = try s.evaluationRun()
                do {
                    let acc = try run.linearProbe()
                    s.print("linear probe top-1 \(String(format: "%.2f", acc))% (\(s.config.linearProbeEpochs) epochs on \(run.data.train.count) images, tested on \(run.data.test.count))")
                } catch let e as EvalError {
                    throw LabError(e.description)
                }
            },
            Command("collapse", family: "training", usage: "collapse",
                    summary: "collapse metrics: effective rank, feature std, alignment and uniformity of the batch outputs",
                    example: "collapse") { s, _ in
                let p = try s.evaluate(printing: false)
                s.print("encoder features (test set) at step \(p.step): kNN \(String(format: "%.2f", p.knnTop1))%")
                if let r = s.state.lastReport {
                    for line in r.description.split(separator: "\n") { s.print("  " + line) }
                }
                if let a = try? s.analyzeBatch() {
                    do {
                        let r = try CollapseReport(features: a.outputs.z1, secondView: a.outputs.z2)
                        s.print("projector outputs z1, z2 on batch #\(s.state.batchesDrawn):")
                        for line in r.description.split(separator: "\n") { s.print("  " + line) }
                    } catch let e as EvalError {
                        throw LabError(e.description)
                    }
                } else {
                    s.print("(draw a batch with 'batch' for the projector outputs' alignment and uniformity)")
                }
            },
            Command("undo", family: "training", usage: "undo", summary: "go back to the state before the last 'step' or 'train'",
                    example: "undo") { s, _ in
                guard let snap = s.state.undoStack.popLast() else { throw LabError("nothing to undo") }
                try s.restoreSnapshot(snap)
                s.print("back at step \(snap.step) (\(s.state.undoStack.count) more undo\(s.state.undoStack.count == 1 ? "" : "s") available)")
            },
            Command("snapshot", family: "training", usage: "snapshot NAME", summary: "keep the model, optimizer and method state in memory under NAME",
                    example: "snapshot before", arity: 1...1) { s, args in
                let t = try s.ensureTrainer()
                s.state.namedSnapshots[args[0]] = t.snapshot()
                s.print("snapshot '\(args[0])' at step \(t.step)")
            },
            Command("restore", family: "training", usage: "restore NAME", summary: "go back to a snapshot taken with 'snapshot'",
                    example: "restore before", arity: 1...1) { s, args in
                guard let snap = s.state.namedSnapshots[args[0]] else {
                    throw LabError(Suggestions.unknown("snapshot", args[0], among: Array(s.state.namedSnapshots.keys)))
                }
                try s.restoreSnapshot(snap)
                s.print("restored '\(args[0])': step \(snap.step)")
            },
            Command("save", family: "training", usage: "save FILE", summary: "save the run (weights, optimizer, method state, settings) to a file",
                    example: "save run.safetensors", arity: 1...1, completion: [.path]) { s, args in
                let t = try s.ensureTrainer()
                do {
                    try CheckpointStore.write(t.snapshot(), config: s.config, to: args[0])
                } catch let e as TrainingError {
                    throw LabError(e.description)
                }
                s.print("saved step \(t.step) to \(args[0])")
            },
            Command("load", family: "training", usage: "load FILE", summary: "load a run saved with 'save' (its settings too)",
                    example: "load run.safetensors", arity: 1...1, completion: [.path]) { s, args in
                let snap: TrainerSnapshot, config: TrainingConfig
                do {
                    (snap, config) = try CheckpointStore.read(from: args[0])
                } catch let e as TrainingError {
                    throw LabError(e.description)
                } catch let e as ConfigError {
                    throw LabError(e.message)
                }
                let previous = s.config
                s.config = config
                do {
                    try s.restoreSnapshot(snap)
                } catch {
                    s.config = previous
                    throw error
                }
                s.print("loaded \(args[0]): method \(config.method), target \(config.target.rawValue), step \(snap.step)")
            },
        ]
    }
}
