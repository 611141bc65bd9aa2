import Testing
import TensorCore
import Layers
import Optim

@Suite struct OptimizerTests {
    @Test func sgdMatchesPyTorchFormulaByHand() {
        let p = Parameter(Tensor<Double>(shape: [2], scalars: [1, -2]), name: "w")
        let sgd = SGD(parameters: [p], momentum: 0.9, weightDecay: 0.1)
        p.grad = Tensor(shape: [2], scalars: [0.5, 0.5])
        sgd.step(learningRate: 0.1)
        // d = g + 0.1·θ = [0.6, 0.3]; b = d; θ = θ − 0.1·b
        #expect(abs(p.value.scalars[0] - 0.94) < 1e-15)
        #expect(abs(p.value.scalars[1] - (-2.03)) < 1e-15)
        sgd.step(learningRate: 0.1)
        // d = [0.5 + 0.094, 0.5 − 0.203] = [0.594, 0.297]; b = 0.9·[0.6, 0.3] + d = [1.134, 0.567]
        #expect(abs(p.value.scalars[0] - (0.94 - 0.1134)) < 1e-14)
        #expect(abs(p.value.scalars[1] - (-2.03 - 0.0567)) < 1e-14)
    }

    @Test func sgdCanSkipDecayForBiases() {
        let w = Parameter(Tensor<Float>(shape: [1], scalars: [1]), name: "w")
        let b = Parameter(Tensor<Float>(shape: [1], scalars: [1]), name: "b", isWeight: false)
        let sgd = SGD(parameters: [w, b], momentum: 0, weightDecay: 0.5, decayAllParameters: false)
        sgd.step(learningRate: 1)
        #expect(w.value.scalars == [0.5])
        #expect(b.value.scalars == [1])
    }

    @Test func sgdStateRoundTripsAndContinuesTheSameTrajectory() {
        func run(split: Bool) -> [Double] {
            let p = Parameter(Tensor<Double>(shape: [3], scalars: [1, 2, 3]), name: "w")
            var sgd = SGD(parameters: [p], momentum: 0.9, weightDecay: 1e-2)
            for k in 0..<6 {
                if split && k == 3 {
                    let saved = sgd.state, value = p.value
                    let q = Parameter(value, name: "w")
                    sgd = SGD(parameters: [q], momentum: 0.9, weightDecay: 1e-2)
                    sgd.state = saved
                }
                let param = sgd.parameters[0]
                param.grad = param.value * 0.3 - 0.1
                sgd.step(learningRate: 0.05)
            }
            return sgd.parameters[0].value.scalars
        }
        #expect(run(split: false) == run(split: true))
    }

    @Test func larsScalesByTrustRatio() {
        let p = Parameter(Tensor<Double>(shape: [2], scalars: [3, 4]), name: "w")   // ‖θ‖ = 5
        let lars = LARS(parameters: [p], momentum: 0, weightDecay: 0, trustCoefficient: 0.001)
        p.grad = Tensor(shape: [2], scalars: [0, 2])                                 // ‖g‖ = 2
        lars.step(learningRate: 1)
        let eta = 0.001 * 5 / (2 + 1e-8)
        #expect(abs(p.value.scalars[1] - (4 - eta * 2)) < 1e-15)
        #expect(p.value.scalars[0] == 3)
    }

    @Test func larsWithMomentumAndDecayFollowsTheFormula() throws {
        let p = Parameter(Tensor<Double>(shape: [2], scalars: [3, 4]), name: "w")
        let lars = LARS(parameters: [p], momentum: 0.9, weightDecay: 0.1, trustCoefficient: 0.001)
        let g = [0.0, 2.0]
        var theta = [3.0, 4.0], buffer = [0.0, 0.0]
        for k in 0..<2 {
            p.grad = Tensor(shape: [2], scalars: g)
            lars.step(learningRate: 0.5)
            // d = η (g + wd θ), η = trust ‖θ‖ / (‖g‖ + wd ‖θ‖ + 1e−8); b ← 0.9 b + d (b = d first); θ ← θ − lr b
            let pn = (theta[0] * theta[0] + theta[1] * theta[1]).squareRoot()
            let eta = 0.001 * pn / (2 + 0.1 * pn + 1e-8)
            for e in 0..<2 {
                let d = eta * (g[e] + 0.1 * theta[e])
                buffer[e] = k == 0 ? d : 0.9 * buffer[e] + d
                theta[e] -= 0.5 * buffer[e]
            }
            #expect(abs(p.value.scalars[0] - theta[0]) < 1e-15 && abs(p.value.scalars[1] - theta[1]) < 1e-15,
                    "step \(k): \(p.value.scalars) vs \(theta)")
        }
        let saved = try #require(lars.state["w.momentum_buffer"])
        #expect(zip(saved.scalars, buffer).allSatisfy { abs($0 - $1) < 1e-15 }, "\(saved.scalars) vs \(buffer)")
    }

    @Test func scheduleMatchesOfficialFormulaAndClaimC13() {
        // Batch 1024, base 0.05 → peak 0.2; 100 epochs × 1251 steps, 5 warm-up epochs.
        let peak = WarmupCosineSchedule.scaledLearningRate(base: 0.05, batchSize: 1024)
        #expect(abs(peak - 0.2) < 1e-15)
        let s = WarmupCosineSchedule(peak: peak, warmupSteps: 5 * 1251, totalSteps: 100 * 1251)
        #expect(abs(s.learningRate(atStep: 0) - 2e-4) < 1e-15)
        #expect(abs(s.learningRate(atStep: 5 * 1251) - 0.2) < 1e-15)
        let last = s.learningRate(atStep: 100 * 1251)
        #expect(abs(last / 0.2 - (1e-3 + 0.5 * (1 - 1e-3) * (1 + cos(Double.pi * 0.95)))) < 1e-12)
        #expect(abs(last / 0.2 - 0.00716) < 1e-4)
        // Monotone increase during warm-up and decrease afterwards.
        #expect(s.learningRate(atStep: 100) < s.learningRate(atStep: 101))
        #expect(s.learningRate(atStep: 7000) > s.learningRate(atStep: 7001))
    }

    @Test func momentumScheduleGoesFromBaseToOne() {
        let m = MomentumSchedule(base: 0.996, totalSteps: 1000)
        #expect(abs(m.momentum(atStep: 0) - 0.996) < 1e-15)
        #expect(abs(m.momentum(atStep: 1000) - 1) < 1e-15)
        #expect(abs(m.momentum(atStep: 500) - 0.998) < 1e-15)
    }
}

import Foundation
