import TensorCore

/// Layers applied in order: `y = f_L(… f_2(f_1(x)))`; backward runs them in reverse.
///
/// Each layer has a name (its index by default, as PyTorch `nn.Sequential`), which prefixes its
/// parameters' dotted names. A shell can step through `layers` one at a time, or call
/// `forwardCollectingOutputs(_:)` to get every intermediate tensor.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let mlp = Sequential<Float>([Linear(4, 8, using: &rng), ReLU(), Linear(8, 2, using: &rng)])
/// mlp.parameters.map(\.name)   // ["0.weight", "0.bias", "2.weight", "2.bias"]
/// ```
public final class Sequential<Scalar: BLASScalar>: LayerContainer {
    /// The layers in forward order.
    public let layers: [any Layer<Scalar>]
    /// The layers' local names (same order as `layers`).
    public let names: [String]

    /// Training or evaluation mode, set on every layer.
    public var isTraining: Bool {
        didSet { for layer in layers { layer.isTraining = isTraining } }
    }

    /// A sequence of layers named `0`, `1`, … unless `names` is given. Names the parameters.
    public init(_ layers: [any Layer<Scalar>], names: [String]? = nil) {
        let names = names ?? layers.indices.map(String.init)
        precondition(names.count == layers.count, "Sequential: \(names.count) names for \(layers.count) layers")
        precondition(Set(names).count == names.count, "Sequential: duplicate layer names \(names)")
        self.layers = layers
        self.names = names
        isTraining = layers.first?.isTraining ?? true
        for layer in layers { layer.isTraining = isTraining }
        nameParameters()
    }

    /// A sequence of named layers, e.g. `[("conv1", conv), ("bn1", bn), ("relu", ReLU())]`.
    public convenience init(named: [(String, any Layer<Scalar>)]) {
        self.init(named.map(\.1), names: named.map(\.0))
    }

    /// The layer with the given local name, if any.
    public subscript(name: String) -> (any Layer<Scalar>)? {
        names.firstIndex(of: name).map { layers[$0] }
    }

    public var children: [(name: String, layer: any Layer<Scalar>)] { Array(zip(names, layers)) }
    public var summary: String { "Sequential(\(layers.count) layers)" }
    public var parameters: [Parameter<Scalar>] { layers.flatMap { $0.parameters } }
    public var buffers: [Parameter<Scalar>] { layers.flatMap { $0.buffers } }

    /// A deep copy (names and values kept; parameters, buffers and caches not shared).
    public func copy() -> Sequential {
        let s = Sequential(layers.map { $0.copy() }, names: names)
        s.isTraining = isTraining
        for (a, b) in zip(parameters + buffers, s.parameters + s.buffers) { b.name = a.name }
        return s
    }

    // x: (N, …) → y: (N, …), through every layer in order
    /// A `BatchNorm2d` directly followed by a `ReLU` runs as one fused pass
    /// (`BatchNorm2d.forwardRectified`): the same numbers as the two layers one after the other.
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var h = x
        var i = 0
        while i < layers.count {
            if let (bn, relu) = rectifiedPair(at: i) {
                h = bn.forwardRectified(h, relu)
                i += 2
            } else {
                h = layers[i].forward(h)
                i += 1
            }
        }
        return h
    }

    // g: ∂L/∂y → ∂L/∂x, through every layer in reverse order (fused pairs as in `forward`)
    public func backward(_ gradOutput: Tensor<Scalar>) -> Tensor<Scalar> {
        var g = gradOutput
        var i = layers.count - 1
        while i >= 0 {
            if i >= 1, let (bn, relu) = rectifiedPair(at: i - 1) {
                g = bn.backwardRectified(g, relu)
                i -= 2
            } else {
                g = layers[i].backward(g)
                i -= 1
            }
        }
        return g
    }

    /// `layers[i]` and `layers[i + 1]` when they are a `BatchNorm2d` and a `ReLU`.
    private func rectifiedPair(at i: Int) -> (BatchNorm2d<Scalar>, ReLU<Scalar>)? {
        guard i + 1 < layers.count, let bn = layers[i] as? BatchNorm2d<Scalar>,
              let relu = layers[i + 1] as? ReLU<Scalar> else { return nil }
        return (bn, relu)
    }

    /// Runs the forward pass and returns each layer's output (`outputs[i]` is the output of
    /// `layers[i]`; the last one is `forward(x)`). Caches for backward as `forward` does.
    public func forwardCollectingOutputs(_ x: Tensor<Scalar>) -> [Tensor<Scalar>] {
        var outputs: [Tensor<Scalar>] = []
        outputs.reserveCapacity(layers.count)
        var h = x
        for layer in layers {
            h = layer.forward(h)
            outputs.append(h)
        }
        return outputs
    }
}

extension Layer {
    /// A multi-line outline of the layer tree: one line per layer with its dotted name,
    /// summary and parameter count.
    public func outline(name: String = "", indent: String = "") -> String {
        let count = parameterCount
        var lines = ["\(indent)\(name.isEmpty ? "" : name + ": ")\(summary)\(count > 0 ? "  [\(count) params]" : "")"]
        if let container = self as? any LayerContainer<Scalar> {
            for child in container.children {
                lines.append(child.layer.outline(name: child.name, indent: indent + "  "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
