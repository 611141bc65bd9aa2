import TensorCore

/// Max pooling over `k_h × k_w` windows (PyTorch `nn.MaxPool2d`, floor mode, implicit `−∞` padding).
///
/// `y[n,c,h',w'] = max_{i,j} x[n, c, h'·s − p + i, w'·s − p + j]`; backward routes each `g` to the
/// arg-max of its window: `∂L/∂x[argmax] += g` (the first maximum wins ties, as PyTorch).
public final class MaxPool2d<Scalar: BLASScalar>: Layer {
    /// Window, stride and padding.
    public let kernelSize: Int, stride: Int, padding: Int
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true

    private var inputShape: [Int] = []
    /// For each output element, the flat index of the input element that was the maximum.
    private var argmax: [Int32] = []

    /// Pooling with a `kernelSize × kernelSize` window; `stride` defaults to `kernelSize`.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        let s = stride ?? kernelSize
        precondition(kernelSize > 0 && s > 0 && padding >= 0 && 2 * padding <= kernelSize,
                     "MaxPool2d(kernel \(kernelSize), stride \(s), padding \(padding)): invalid sizes (padding ≤ kernel/2)")
        self.kernelSize = kernelSize
        self.stride = s
        self.padding = padding
    }

    public var summary: String { "MaxPool2d(k\(kernelSize), s\(stride), p\(padding))" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> MaxPool2d {
        let m = MaxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
        m.isTraining = isTraining
        return m
    }

    // x: (N, C, H, W) → y: (N, C, H', W'),  H' = ⌊(H + 2p − k)/s⌋ + 1
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4, "\(summary): input shape \(x.shape) is not (N, C, H, W)")
        precondition(x.count < Int(Int32.max), "\(summary): input of \(x.count) elements is too large")
        let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (k, s, p) = (kernelSize, stride, padding)
        let Ho = (H + 2 * p - k) / s + 1, Wo = (W + 2 * p - k) / s + 1
        precondition(Ho > 0 && Wo > 0, "\(summary): input \(x.shape) is smaller than the window")
        let total = N * C * Ho * Wo
        var y = [Scalar](repeating: 0, count: total)
        argmax = [Int32](repeating: 0, count: total)
        x.scalars.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                argmax.withUnsafeMutableBufferPointer { ap in
                    parallelFor(N * C, serial: total < 1 << 14) { plane in
                        let xo = plane * H * W, yo = plane * Ho * Wo
                        for oh in 0..<Ho {
                            for ow in 0..<Wo {
                                var best = -Scalar.infinity, at = -1
                                for i in 0..<k {
                                    let ih = oh * s - p + i
                                    if ih < 0 || ih >= H { continue }
                                    for j in 0..<k {
                                        let iw = ow * s - p + j
                                        if iw < 0 || iw >= W { continue }
                                        let v = xp[xo + ih * W + iw]
                                        if v > best || at < 0 { best = v; at = xo + ih * W + iw }
                                    }
                                }
                                yp[yo + oh * Wo + ow] = best
                                ap[yo + oh * Wo + ow] = Int32(at)
                            }
                        }
                    }
                }
            }
        }
        inputShape = x.shape
        return Tensor(shape: [N, C, Ho, Wo], scalars: y)
    }

    // g: (N, C, H', W') → ∂L/∂x: (N, C, H, W)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(!inputShape.isEmpty, "\(summary): backward without forward")
        precondition(g.count == argmax.count, "\(summary): gradient shape \(g.shape) does not match the last forward")
        var gx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
        for (q, idx) in argmax.enumerated() { gx[Int(idx)] += g.scalars[q] }
        return Tensor(shape: inputShape, scalars: gx)
    }
}
