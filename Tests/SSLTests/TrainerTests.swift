import Foundation
import Testing
import TensorCore
import Methods
import SSL

@Suite(.serialized) struct TrainerTests {
    /// Every method of the catalogue trains through the same loop (forward both views, method
    /// gradient, backward through projector and encoder, SGD, momentum update): each of five steps
    /// on a batch lowers the method's objective on that batch, with the targets and the method
    /// state of the step held fixed — the loss for analytic methods, the surrogate `⟨sg(g), u⟩`
    /// for gradient-only forms.
    @Test(arguments: MethodCatalog.names)
    func everyMethodDescendsItsObjective(_ name: String) throws {
        var config = TestConfigs.tiny(method: name, target: .momentum)
        config.predictorHidden = (name == "byol" || name == "simsiam") ? 64 : 0
        config.baseLR = 0.01   // small steps: the decrease is a first-order claim
        config.weightDecay = 0
        let run = try TrainingRun(config: config)
        let trainer = run.trainer
        for step in 0..<5 {
            let batch = run.loader.batch(epoch: 0, index: step)
            let state = trainer.methodState
            let before = trainer.model.forward(batch.view1, batch.view2)
            let r0 = trainer.evaluateMethod(before)
            try trainer.trainStep(batch.view1, batch.view2)
            let after = trainer.model.forward(batch.view1, batch.view2)
            let targets = trainer.model.momentumEncoder == nil ? MethodTargets<Float>.none
                : MethodTargets(z1t: before.z1m, z2t: before.z2m)
            let objective0: Float, objective1: Float
            if let surrogate = r0.surrogate {
                objective0 = surrogate.value(z1: before.z1, z2: before.z2)
                objective1 = surrogate.value(z1: after.z1, z2: after.z2)
            } else {
                objective0 = r0.loss
                objective1 = trainer.method.evaluate(z1: after.z1, z2: after.z2, targets: targets, state: state,
                                                     decompose: false).loss
            }
            #expect(objective1 < objective0, "\(name), step \(step): objective \(objective0) → \(objective1)")
        }
    }

    @Test func unigradPullsViewsTogetherOverSteps() throws {
        let run = try TrainingRun(config: TestConfigs.tiny(method: "unigrad"))
        let batch = run.loader.batch(epoch: 0, index: 0)
        var records: [StepRecord] = []
        for _ in 0..<10 { records.append(try run.trainer.trainStep(batch.view1, batch.view2)) }
        #expect(records[9].positiveSimilarity > records[0].positiveSimilarity + 0.05)
    }

    /// UniGrad with λ = 0 and a stop-gradient target has only the positive gradient: the
    /// projector outputs collapse, and the final report's output metrics show it (measured on the
    /// full tiny preset, 124 steps: std 0.0066 and effective rank 4.6 against 0.072 and 9.1 with λ = 5).
    @Test func unigradWithoutNegativesCollapsesAndTheMetricsShowIt() throws {
        func finalOutputs(lambda: String) throws -> FinalReport {
            // The tiny preset on 1024 images, 6 epochs (96 steps): λ = 0 gave output std 0.0084,
            // effective rank 5.4; λ = 5 gave 0.0735 and 8.9.
            var config = Presets.config("tiny")!
            try config.set("target", "stopgrad")
            try config.set("lambda", lambda)
            config.syntheticTrain = 1024
            config.syntheticTest = 200
            config.evalEvery = 0
            config.epochs = 6
            let run = try TrainingRun(config: config)
            try run.run()
            return try run.finalReport(linear: false, baselines: false)
        }
        let collapsed = try finalOutputs(lambda: "0"), healthy = try finalOutputs(lambda: "5")
        let collapsedStd = try #require(collapsed.outputStd), healthyStd = try #require(healthy.outputStd)
        #expect(collapsedStd < 0.25 * healthyStd, "std of normalised outputs: λ=0 \(collapsedStd), λ=5 \(healthyStd)")
        let collapsedRank = try #require(collapsed.outputEffectiveRank), healthyRank = try #require(healthy.outputEffectiveRank)
        #expect(collapsedRank < healthyRank, "effective rank of the outputs: λ=0 \(collapsedRank), λ=5 \(healthyRank)")
    }

    @Test(arguments: TargetBranch.allCases)
    func everyTargetBranchTrains(_ target: TargetBranch) throws {
        var config = TestConfigs.tiny(method: "unigrad", target: target)
        config.maxSteps = 6
        let run = try TrainingRun(config: config)
        try run.run()
        #expect(run.trainer.step == 6)
        #expect(run.trainer.history.allSatisfy { $0.loss.isFinite })
        #expect((run.trainer.model.momentumEncoder != nil) == (target != .stopgrad))
        #expect(run.trainer.history.allSatisfy { (target == .stopgrad) == ($0.momentum == 0) })
    }

    @Test func momentumPositiveTakesThePositiveFromTheMomentumBranch() throws {
        let config = TestConfigs.tiny(method: "unigrad", target: .momentumPositive)
        let run = try TrainingRun(config: config)
        let b = run.loader.batch(epoch: 0, index: 0)
        // Make the branches differ, then compare the gradient with the two pure forms.
        for _ in 0..<3 { try run.trainer.trainStep(b.view1, b.view2) }
        let out = run.trainer.model.forward(b.view1, b.view2)
        let mixed = run.trainer.evaluateMethod(out, decompose: true)
        let method = run.trainer.method
        let momentum = method.evaluate(z1: out.z1, z2: out.z2, targets: MethodTargets(z1t: out.z1m, z2t: out.z2m),
                                       state: run.trainer.methodState, decompose: true)
        let online = method.evaluate(z1: out.z1, z2: out.z2, targets: .none, state: run.trainer.methodState, decompose: true)
        for v in 0..<2 {
            #expect((mixed.views[v].positive - momentum.views[v].positive).maxAbs() == 0)
            #expect((mixed.views[v].negative - online.views[v].negative).maxAbs() == 0)
            #expect((mixed.views[v].positive - online.views[v].positive).maxAbs() > 1e-4)
        }
        #expect(mixed.nextState.correlation == online.nextState.correlation)
    }

    @Test func momentumUpdateFollowsTheFormula() throws {
        let run = try TrainingRun(config: TestConfigs.tiny())
        let model = run.trainer.model
        let online = model.encoder.parameters + model.projector.parameters
        for p in online { p.value = p.value + 0.5 }     // make θ_o ≠ θ_m
        let before = (model.momentumEncoder!.parameters + model.momentumProjector!.parameters).map(\.value)
        model.updateMomentumBranch(momentum: 0.9)
        let after = (model.momentumEncoder!.parameters + model.momentumProjector!.parameters).map(\.value)
        for ((m0, m1), o) in zip(zip(before, after), online.map(\.value)) {
            let expected = m0 * 0.9 + o * (1 - 0.9)
            #expect((m1 - expected).maxAbs() <= 1e-6 * max(1, expected.maxAbs()))
        }
    }

    @Test func aNonFiniteLossStopsTrainingNamingTheStepAndTerm() throws {
        var config = TestConfigs.tiny()
        config.baseLR = 1e30
        config.maxSteps = 20
        let run = try TrainingRun(config: config)
        #expect {
            try run.run()
        } throws: { error in
            guard case TrainingError.nonFiniteLoss(let step, let term, _) = error else { return false }
            return step > 0 && !term.isEmpty && "\(error)".contains("step \(step)")
        }
    }
}
