import TensorCore

/// A layer made of named sub-layers (`Sequential`, residual blocks, models).
///
/// Parameter names are dotted paths built from the children's names, as in PyTorch's
/// `state_dict`: a `Conv2d` named `conv1` inside the block `0` of `layer1` owns
/// `layer1.0.conv1.weight`.
public protocol LayerContainer<Scalar>: Layer {
    /// The direct sub-layers with their local names, in forward order.
    var children: [(name: String, layer: any Layer<Scalar>)] { get }
}

extension Layer {
    /// Gives every parameter and buffer its dotted name under `prefix`.
    ///
    /// A leaf layer's parameters keep their local name (`weight`, `bias`, `running_mean`, …) and
    /// get `prefix.` in front; a container recurses with `prefix.childName`. Idempotent: calling
    /// it again with another prefix renames rather than stacking prefixes. Containers call
    /// `nameParameters()` when they are built, so a fresh model is already named.
    ///
    /// ```swift
    /// let encoder = Sequential<Float>.convNetSmall(using: &rng)
    /// encoder.nameParameters(prefix: "encoder")   // encoder.0.conv.weight, …
    /// ```
    public func nameParameters(prefix: String = "") {
        if let container = self as? any LayerContainer<Scalar> {
            for child in container.children {
                child.layer.nameParameters(prefix: prefix.isEmpty ? child.name : "\(prefix).\(child.name)")
            }
        } else {
            for p in parameters + buffers {
                let local = p.name.split(separator: ".").last.map(String.init) ?? p.name
                p.name = prefix.isEmpty ? local : "\(prefix).\(local)"
            }
        }
    }

    /// Parameters and buffers by dotted name (what a checkpoint stores).
    public var namedTensors: [(name: String, parameter: Parameter<Scalar>)] {
        (parameters + buffers).map { ($0.name, $0) }
    }
}
