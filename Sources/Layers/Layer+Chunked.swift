import TensorCore

extension Layer {
    /// `forward` over the rows of `x` in chunks of `chunk` rows, concatenated: the same values as
    /// one `forward(x)` in evaluation mode, with the activations of one chunk alive at a time
    /// (feature extraction for kNN, linear probes and collapse metrics).
    public func forwardInChunks(_ x: Tensor<Scalar>, chunk: Int) -> Tensor<Scalar> {
        precondition(chunk > 0, "forwardInChunks: chunk \(chunk) must be positive")
        var parts: [Tensor<Scalar>] = []
        var start = 0
        while start < x.shape[0] {
            let end = min(start + chunk, x.shape[0])
            parts.append(forward(x.slicingRows(start..<end)))
            start = end
        }
        return Tensor.concatenatingRows(parts)
    }
}
