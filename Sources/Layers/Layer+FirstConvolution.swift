import TensorCore

extension Layer {
    /// The first `Conv2d` in forward order (depth first through containers), if any.
    ///
    /// A network's first convolution never needs `∂L/∂x` (the input is data), so trainers set its
    /// `computesInputGradient` to false and save that GEMM and the col2im pass.
    public var firstConvolution: Conv2d<Scalar>? {
        if let conv = self as? Conv2d<Scalar> { return conv }
        if let container = self as? any LayerContainer<Scalar> {
            for child in container.children {
                if let conv = child.layer.firstConvolution { return conv }
            }
        }
        return nil
    }
}
