import GradCheck
import Layers
import TensorCore
import Testing

@Suite struct ResidualBlockTests {
    /// Sets non-trivial BN affine parameters so that the check exercises them.
    static func perturbBatchNorms(_ layer: some Layer<Double>, using rng: inout RandomGenerator) {
        for p in layer.parameters where p.name.contains("bn") || p.name.contains("downsample.1") {
            p.value = .randomNormal(p.value.shape, mean: p.name.hasSuffix("weight") ? 1 : 0, std: 0.3, using: &rng)
        }
    }

    /// The tensors entering each ReLU of a basic block on `x` (computed through its public sub-layers).
    static func preActivations(_ b: BasicBlock<Double>, _ x: Tensor<Double>) -> [Tensor<Double>] {
        let a1 = b.bn1.forward(b.conv1.forward(x))
        let a2 = b.bn2.forward(b.conv2.forward(b.relu.forward(a1))) + (b.downsample?.forward(x) ?? x)
        return [a1, a2]
    }

    static func preActivations(_ b: Bottleneck<Double>, _ x: Tensor<Double>) -> [Tensor<Double>] {
        let a1 = b.bn1.forward(b.conv1.forward(x))
        let a2 = b.bn2.forward(b.conv2.forward(b.relu1.forward(a1)))
        let a3 = b.bn3.forward(b.conv3.forward(b.relu2.forward(a2))) + (b.downsample?.forward(x) ?? x)
        return [a1, a2, a3]
    }

    /// Draws inputs until no pre-activation is within `1e−4` of a ReLU kink.
    static func kinkFreeInput(_ shape: [Int], seed: UInt64, preActivations: (Tensor<Double>) -> [Tensor<Double>]) -> Tensor<Double> {
        var rng = RandomGenerator(seed: seed)
        for _ in 0..<100 {
            let x = Tensor<Double>.randomNormal(shape, using: &rng)
            if minAbs(preActivations(x)) > 1e-4 { return x }
        }
        Issue.record("no kink-free input found in 100 draws")
        return .zeros(shape)
    }

    @Test(arguments: [(2, 3, 2), (3, 3, 1), (2, 2, 1)])
    func basicBlockGradientsMatchFiniteDifferences(inPlanes: Int, planes: Int, stride: Int) {
        var rng = RandomGenerator(seed: 41)
        let block = BasicBlock<Double>(inPlanes: inPlanes, planes: planes, stride: stride, using: &rng)
        #expect((block.downsample != nil) == (stride != 1 || inPlanes != planes))
        Self.perturbBatchNorms(block, using: &rng)
        let x = Self.kinkFreeInput([2, inPlanes, 5, 5], seed: 42) { Self.preActivations(block, $0) }
        let y = block.forward(x)
        #expect(y.shape == [2, planes, stride == 2 ? 3 : 5, stride == 2 ? 3 : 5])
        let check = LayerGradCheck(block, at: x)
        #expect(check.reports.count == 1 + block.parameters.count)
        #expect(check.passes(), "\(check.description)")
    }

    @Test(arguments: [(4, 2, 2), (3, 2, 1), (8, 2, 1)])
    func bottleneckGradientsMatchFiniteDifferences(inPlanes: Int, planes: Int, stride: Int) {
        var rng = RandomGenerator(seed: 43)
        let block = Bottleneck<Double>(inPlanes: inPlanes, planes: planes, stride: stride, using: &rng)
        #expect((block.downsample != nil) == (stride != 1 || inPlanes != 4 * planes))
        Self.perturbBatchNorms(block, using: &rng)
        let x = Self.kinkFreeInput([2, inPlanes, 4, 5], seed: 44) { Self.preActivations(block, $0) }
        #expect(block.forward(x).shape == [2, 4 * planes, stride == 2 ? 2 : 4, stride == 2 ? 3 : 5])
        let check = LayerGradCheck(block, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    @Test func blocksInEvaluationModeAlsoMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 45)
        let block = BasicBlock<Double>(inPlanes: 2, planes: 3, stride: 2, using: &rng)
        Self.perturbBatchNorms(block, using: &rng)
        _ = block.forward(.randomNormal([4, 2, 5, 5], using: &rng))  // non-trivial running statistics
        block.isTraining = false
        #expect(!block.bn1.isTraining && !(block.downsample?.layers[1].isTraining ?? true))
        let x = Self.kinkFreeInput([2, 2, 5, 5], seed: 46) { Self.preActivations(block, $0) }
        let check = LayerGradCheck(block, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    /// The same block built from the same seed in Float and in Double computes the same thing.
    @Test func floatAndDoubleAgree() {
        var rngD = RandomGenerator(seed: 50), rngF = RandomGenerator(seed: 50)
        let d = BasicBlock<Double>(inPlanes: 3, planes: 4, stride: 2, using: &rngD)
        let f = BasicBlock<Float>(inPlanes: 3, planes: 4, stride: 2, using: &rngF)
        #expect(zip(d.parameters, f.parameters).allSatisfy { ($0.value.converted(to: Float.self) - $1.value).maxAbs() == 0 })
        var rng = RandomGenerator(seed: 51)
        let x = Tensor<Double>.randomNormal([4, 3, 6, 6], using: &rng)
        let g = Tensor<Double>.randomNormal([4, 4, 3, 3], using: &rng)
        let yD = d.forward(x), yF = f.forward(x.converted(to: Float.self))
        #expect((yF.converted(to: Double.self) - yD).maxAbs() < 1e-4)
        let gxD = d.backward(g), gxF = f.backward(g.converted(to: Float.self))
        #expect((gxF.converted(to: Double.self) - gxD).maxAbs() < 1e-4 * max(1, gxD.maxAbs()))
        for (pd, pf) in zip(d.parameters, f.parameters) {
            #expect((pf.grad.converted(to: Double.self) - pd.grad).maxAbs() < 1e-4 * max(1, pd.grad.maxAbs()))
        }
    }

    @Test func parameterNamesFollowTorchvision() {
        var rng = RandomGenerator(seed: 47)
        let basic = BasicBlock<Float>(inPlanes: 4, planes: 8, stride: 2, using: &rng)
        #expect(basic.parameters.map(\.name) == [
            "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
            "downsample.0.weight", "downsample.1.weight", "downsample.1.bias",
        ])
        #expect(basic.buffers.map(\.name).prefix(2) == ["bn1.running_mean", "bn1.running_var"])
        #expect(basic.parameters.filter(\.isWeight).map(\.name) == ["conv1.weight", "conv2.weight", "downsample.0.weight"])
        let bottleneck = Bottleneck<Float>(inPlanes: 16, planes: 4, using: &rng)
        #expect(bottleneck.downsample == nil)
        #expect(bottleneck.parameters.map(\.name).last == "bn3.bias")
    }

    @Test func zeroInitResidualStartsAsTheShortcut() {
        var rng = RandomGenerator(seed: 48)
        let basic = BasicBlock<Double>(inPlanes: 3, planes: 3, zeroInitResidual: true, using: &rng)
        #expect(basic.bn2.weight.value.maxAbs() == 0)
        let x = Tensor<Double>.randomNormal([2, 3, 4, 4], using: &rng)
        #expect(basic.forward(x) == x.map { max($0, 0) })
        let bottleneck = Bottleneck<Double>(inPlanes: 4, planes: 2, stride: 2, zeroInitResidual: true, using: &rng)
        #expect(bottleneck.bn3.weight.value.maxAbs() == 0 && bottleneck.bn2.weight.value.scalars.allSatisfy { $0 == 1 })
        let y = bottleneck.forward(.randomNormal([2, 4, 4, 4], using: &rng))
        #expect(y.shape == [2, 8, 2, 2])
    }

    @Test func copyIsDeepAndKeepsNames() {
        var rng = RandomGenerator(seed: 49)
        let block = Bottleneck<Float>(inPlanes: 4, planes: 2, stride: 2, using: &rng)
        block.nameParameters(prefix: "layer2.0")
        let twin = block.copy()
        #expect(twin.parameters.map(\.name) == block.parameters.map(\.name))
        #expect(zip(twin.parameters, block.parameters).allSatisfy { $0 !== $1 && $0.value == $1.value })
        twin.conv2.weight.value.scalars[0] = 7
        twin.bn1.runningMean.value.scalars[0] = 7
        #expect(block.conv2.weight.value.scalars[0] != 7 && block.bn1.runningMean.value.scalars[0] == 0)
    }
}
