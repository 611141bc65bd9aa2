import Layers
import TensorCore
import Testing

@Suite struct ModelTests {
    @Test func resNet18ParameterCount() {
        var rng = RandomGenerator(seed: 61)
        let cifar = Sequential<Float>.resNet18(stem: .cifar, using: &rng)
        #expect(cifar.parameterCount == 11_168_832)
        let imageNet = Sequential<Float>.resNet18(stem: .imageNet, using: &rng)
        #expect(imageNet.parameterCount == 11_176_512)
        #expect(cifar.parameters.map(\.name).contains("layer2.0.downsample.0.weight"))
        #expect(cifar.parameters.map(\.name).contains("layer4.1.bn2.bias"))
        #expect(cifar.names == ["conv1", "bn1", "relu", "layer1", "layer2", "layer3", "layer4", "avgpool"])
        #expect(imageNet.names.contains("maxpool"))
        // conv weights decay; BN affine parameters do not.
        #expect(cifar.parameters.filter(\.isWeight).count == 20)
        #expect(cifar.parameters.filter(\.isWeight).allSatisfy { $0.value.rank == 4 })
    }

    @Test func resNet50ParameterCount() {
        var rng = RandomGenerator(seed: 62)
        let net = Sequential<Float>.resNet50(using: &rng)
        #expect(net.parameterCount == 23_508_032)
        #expect(net.parameters.map(\.name).contains("layer3.5.conv3.weight"))
        #expect(EncoderArchitecture.resNet50.featureDimension == 2048)
    }

    @Test func resNet18ForwardShapes() {
        var rng = RandomGenerator(seed: 63)
        let cifar = Sequential<Float>.resNet18(stem: .cifar, using: &rng)
        #expect(cifar.forward(.randomNormal([2, 3, 8, 8], using: &rng)).shape == [2, 512])
        let imageNet = Sequential<Float>.resNet18(stem: .imageNet, inputChannels: 1, using: &rng)
        let outputs = imageNet.forwardCollectingOutputs(.randomNormal([2, 1, 32, 32], using: &rng))
        #expect(outputs.map(\.shape) == [[2, 64, 16, 16], [2, 64, 16, 16], [2, 64, 16, 16], [2, 64, 8, 8],
                                         [2, 64, 8, 8], [2, 128, 4, 4], [2, 256, 2, 2], [2, 512, 1, 1], [2, 512]])
    }

    @Test func convNetSmallAndTiny() {
        var rng = RandomGenerator(seed: 64)
        let small = Sequential<Float>.convNetSmall(using: &rng)
        let outputs = small.forwardCollectingOutputs(.randomNormal([2, 1, 28, 28], using: &rng))
        #expect(outputs.map(\.shape) == [[2, 32, 28, 28], [2, 64, 14, 14], [2, 128, 7, 7], [2, 256, 4, 4], [2, 256]])
        #expect(small.parameters.first?.name == "0.conv.weight")
        // Conv weights (no biases) and BN γ, β.
        #expect(small.parameterCount == 9 * (1 * 32 + 32 * 64 + 64 * 128 + 128 * 256) + 2 * (32 + 64 + 128 + 256))
        let rgb = EncoderArchitecture.convNetSmall.make(inputChannels: 3, using: &rng, as: Float.self)
        #expect(rgb.forward(.randomNormal([2, 3, 28, 28], using: &rng)).shape == [2, 256])

        let tiny = EncoderArchitecture(rawValue: "tiny")!.make(inputChannels: 1, using: &rng, as: Double.self)
        #expect(tiny.forward(.randomNormal([3, 1, 16, 16], using: &rng)).shape == [3, EncoderArchitecture.tiny.featureDimension])
        #expect(tiny.parameters.filter(\.isWeight).count == 2)
    }

    @Test func projectorAndPredictor() {
        var rng = RandomGenerator(seed: 65)
        let projector = Sequential<Float>.projector(inputDimension: 256, hiddenDimension: 512, outputDimension: 128, using: &rng)
        #expect(projector.forward(.randomNormal([4, 256], using: &rng)).shape == [4, 128])
        #expect(projector.parameters.map(\.name) == ["0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight", "6.bias"])
        #expect(projector.parameters.map(\.isWeight) == [true, false, false, true, false, false, true, false])
        #expect(projector.parameterCount == 256 * 512 + 2 * 512 + 512 * 512 + 2 * 512 + 512 * 128 + 128)
        #expect(Sequential<Float>.projector(.full, using: &rng).parameterCount
                 == 512 * 2048 + 2 * 2048 + 2048 * 2048 + 2 * 2048 + 2048 * 2048 + 2048)
        let predictor = Sequential<Float>.predictor(inputDimension: 128, hiddenDimension: 64, outputDimension: 128, using: &rng)
        #expect(predictor.layers.count == 4)
        #expect(predictor.parameterCount == 128 * 64 + 2 * 64 + 64 * 128 + 128)
        #expect(predictor.forward(.randomNormal([4, 128], using: &rng)).shape == [4, 128])
    }

    @Test func buildersAreDeterministicGivenTheSeed() {
        var a = RandomGenerator(seed: 66), b = RandomGenerator(seed: 66)
        let n1 = Sequential<Double>.convNetSmall(using: &a), n2 = Sequential<Double>.convNetSmall(using: &b)
        #expect(zip(n1.parameters, n2.parameters).allSatisfy { $0.value == $1.value })
    }
}
