import GradCheck
import Layers
import TensorCore
import Testing

@Suite struct SequentialTests {
    static func smallNet(using rng: inout RandomGenerator) -> Sequential<Double> {
        Sequential(named: [
            ("stem", Sequential<Double>.convBNReLU(2, 3, stride: 2, using: &rng)),
            ("pool", GlobalAveragePool2d<Double>()),
            ("fc", Linear<Double>(3, 2, using: &rng)),
            ("norm", L2Normalize<Double>()),
        ])
    }

    @Test func namesAreDottedPathsAndCanBePrefixed() {
        var rng = RandomGenerator(seed: 51)
        let net = Self.smallNet(using: &rng)
        #expect(net.parameters.map(\.name) == ["stem.conv.weight", "stem.bn.weight", "stem.bn.bias", "fc.weight", "fc.bias"])
        #expect(net.buffers.map(\.name) == ["stem.bn.running_mean", "stem.bn.running_var"])
        net.nameParameters(prefix: "encoder")
        net.nameParameters(prefix: "online.encoder")  // renames, does not stack
        #expect(net.parameters.first?.name == "online.encoder.stem.conv.weight")
        #expect(net.namedTensors.count == 7)
        let mlp = Sequential<Float>([Linear(4, 8, using: &rng), ReLU(), Linear(8, 2, using: &rng)])
        #expect(mlp.parameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(mlp.names == ["0", "1", "2"] && mlp["2"] is Linear<Float>)
    }

    @Test func forwardCollectingOutputsStepsLayerByLayer() {
        var rng = RandomGenerator(seed: 52)
        let net = Self.smallNet(using: &rng)
        let x = Tensor<Double>.randomNormal([3, 2, 6, 6], using: &rng)
        let outputs = net.forwardCollectingOutputs(x)
        #expect(outputs.map(\.shape) == [[3, 3, 3, 3], [3, 3], [3, 2], [3, 2]])
        var h = x
        for (layer, out) in zip(net.layers, outputs) {
            h = layer.forward(h)
            #expect(h == out)
        }
        #expect(net.forward(x) == outputs.last)
        #expect(net.outline().contains("fc: Linear(3→2)  [8 params]"))
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 53)
        let net = Self.smallNet(using: &rng)
        let stem = net.layers[0] as! Sequential<Double>
        var x = Tensor<Double>.randomNormal([3, 2, 6, 6], using: &rng)
        for _ in 0..<100 {
            let pre = stem.layers[1].forward(stem.layers[0].forward(x))
            if minAbs([pre]) > 1e-4 { break }
            x = .randomNormal([3, 2, 6, 6], using: &rng)
        }
        let check = LayerGradCheck(net, at: x)
        #expect(check.passes(), "\(check.description)")
    }

    /// `Sequential` runs each `BatchNorm2d, ReLU` pair as one fused pass; stepping through the
    /// layers one at a time must give bitwise the same outputs, input gradient and parameter
    /// gradients, in training and in evaluation mode.
    @Test(arguments: [true, false])
    func fusedBatchNormReLUEqualsTheLayersOneByOne(training: Bool) {
        var rng = RandomGenerator(seed: 55)
        let fused = Sequential<Float>.convBNReLU(3, 6, stride: 2, using: &rng)
        let stepped = fused.copy()
        fused.isTraining = training
        stepped.isTraining = training
        let x = Tensor<Float>.randomNormal([4, 3, 9, 9], using: &rng)
        let y = fused.forward(x)
        let h = stepped.layers.reduce(x) { $1.forward($0) }
        #expect(y == h)
        #expect(y.scalars.contains(0) && y.scalars.contains { $0 > 0 })  // the rectifier is active
        let g = Tensor<Float>.randomNormal(y.shape, using: &rng)
        let gx = fused.backward(g)
        let gxStepped = stepped.layers.reversed().reduce(g) { $1.backward($0) }
        #expect(gx == gxStepped)
        #expect(gx.maxAbs() > 0)
        #expect(zip(fused.parameters, stepped.parameters).allSatisfy { $0.grad == $1.grad })
        #expect(zip(fused.buffers, stepped.buffers).allSatisfy { $0.value == $1.value })
    }

    @Test func trainingModePropagatesAndCopyIsDeep() {
        var rng = RandomGenerator(seed: 54)
        let net = Self.smallNet(using: &rng)
        net.isTraining = false
        let stem = net.layers[0] as! Sequential<Double>
        #expect(stem.layers.allSatisfy { !$0.isTraining })
        let twin = net.copy()
        #expect(!twin.isTraining)
        #expect(twin.parameters.map(\.name) == net.parameters.map(\.name))
        #expect(zip(twin.parameters + twin.buffers, net.parameters + net.buffers).allSatisfy { $0 !== $1 && $0.value == $1.value })
        twin.parameters[0].value.scalars[0] += 1
        #expect(twin.parameters[0].value != net.parameters[0].value)
        let x = Tensor<Double>.randomNormal([2, 2, 6, 6], using: &rng)
        #expect(net.copy().forward(x) == net.forward(x))
    }
}
