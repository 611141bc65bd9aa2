import TensorCore

/// A 2-D convolution (cross-correlation, as PyTorch `nn.Conv2d`, groups = 1, dilation = 1).
///
/// `y[n,k,h',w'] = b[k] + Σ_{c,i,j} W[k,c,i,j] · x[n, c, h'·s_h − p_h + i, w'·s_w − p_w + j]`
/// with zeros outside the image. Computed as one matrix product per chunk of images:
/// `Y (K, B·H'W') = W (K, C·k_h·k_w) · col(x) (C·k_h·k_w, B·H'W')` (see `Conv2dGeometry`), then
/// transposed to `(N, K, H', W')` — or, for wide output planes, one product per image written in
/// place (`perImageOutputPlane`). Backward, with `G` the upstream gradient in the same layout:
/// `∂L/∂W += G·colᵀ`, `∂L/∂b += Σ G`, `∂L/∂x = col2im(Wᵀ·G)`.
/// Chunks (`maxColumnElements`) are dealt round-robin to `KernelThreading.lanes` lanes, each with
/// its own scratch and partial `∂L/∂W`; with `KernelThreading.isParallel` the lanes run
/// concurrently, each with single-threaded gemms.
/// Weights are Kaiming-uniform with `a = √5` and `fan_in = C·k_h·k_w`, as PyTorch.
public final class Conv2d<Scalar: BLASScalar>: Layer {
    /// `C`.
    public let inChannels: Int
    /// `K`.
    public let outChannels: Int
    /// `k_h`, `k_w`.
    public let kernelHeight: Int, kernelWidth: Int
    /// `s_h`, `s_w`.
    public let strideHeight: Int, strideWidth: Int
    /// `p_h`, `p_w` (zero padding on both sides).
    public let paddingHeight: Int, paddingWidth: Int
    /// `W`, shape `(K, C, k_h, k_w)`; weight decay applies.
    public let weight: Parameter<Scalar>
    /// `b`, shape `(K)`, or `nil`; no weight decay.
    public let bias: Parameter<Scalar>?
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    /// The largest column matrix (in scalars) built at once; bigger batches are split into
    /// chunks of images. When the whole batch fits, the forward's column matrix is kept for
    /// the backward pass instead of being rebuilt.
    ///
    /// The default (2 MB of `Float`) keeps a chunk's columns near the core between `im2col` and
    /// the gemm that reads them (whole-batch matrices, tens of MB for `convnet-small`, were
    /// written to and read back from memory); the backward pass then rebuilds each chunk's
    /// columns instead of keeping them.
    public var maxColumnElements = 1 << 19
    /// When false, `backward` only accumulates the parameter gradients and returns zeros for
    /// `∂L/∂x`, skipping `Wᵀ·G` and `col2im` — for the first layer of a network, whose input
    /// (the image) needs no gradient.
    public var computesInputGradient = true

    private var input: Tensor<Scalar>?
    private var geometry: Conv2dGeometry?
    /// `col(x)` of the last forward (when `columnsHoldInput`), and the scratch for `Wᵀ·G`.
    private var columns: [Scalar] = []
    private var columnsHoldInput = false
    /// `(K, B·H'W')` scratch: the product before transposition, or the transposed gradient.
    private var transposedScratch: [Scalar] = []

    /// A convolution `C → K` with a `k_h × k_w` kernel, PyTorch's default initialisation from `rng`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int),
                stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), bias: Bool = true,
                using rng: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0
                     && stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
                     "Conv2d(\(inChannels)→\(outChannels), kernel \(kernelSize), stride \(stride), padding \(padding)): invalid sizes")
        self.inChannels = inChannels
        self.outChannels = outChannels
        (kernelHeight, kernelWidth) = kernelSize
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        let fanIn = inChannels * kernelSize.0 * kernelSize.1
        weight = Parameter(Initialization.kaimingUniform([outChannels, inChannels, kernelSize.0, kernelSize.1],
                                                         fanIn: fanIn, using: &rng),
                           name: "weight", isWeight: true)
        self.bias = bias ? Parameter(Initialization.biasUniform([outChannels], fanIn: fanIn, using: &rng),
                                     name: "bias", isWeight: false) : nil
    }

    /// A convolution with a square `k × k` kernel and the same stride and padding in both directions.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true, using rng: inout RandomGenerator) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), bias: bias, using: &rng)
    }

    private init(copying o: Conv2d) {
        inChannels = o.inChannels
        outChannels = o.outChannels
        (kernelHeight, kernelWidth) = (o.kernelHeight, o.kernelWidth)
        (strideHeight, strideWidth) = (o.strideHeight, o.strideWidth)
        (paddingHeight, paddingWidth) = (o.paddingHeight, o.paddingWidth)
        weight = o.weight.copy()
        bias = o.bias?.copy()
        isTraining = o.isTraining
        maxColumnElements = o.maxColumnElements
        computesInputGradient = o.computesInputGradient
        perImageOutputPlane = o.perImageOutputPlane
    }

    public var summary: String {
        func pair(_ a: Int, _ b: Int) -> String { a == b ? "\(a)" : "\(a)×\(b)" }
        return "Conv2d(\(inChannels)→\(outChannels), k\(pair(kernelHeight, kernelWidth)), "
            + "s\(pair(strideHeight, strideWidth)), p\(pair(paddingHeight, paddingWidth))\(bias == nil ? ", no bias" : ""))"
    }
    public var parameters: [Parameter<Scalar>] { [weight] + (bias.map { [$0] } ?? []) }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> Conv2d { Conv2d(copying: self) }

    /// Frees the cached input and scratch buffers (they are rebuilt by the next forward).
    public func releaseCaches() {
        input = nil
        columns = []
        transposedScratch = []
        columnsHoldInput = false
    }

    /// Multiply-accumulates of one forward pass on an `(N, C, H, W)` input: `N·K·H'W'·C·k_h·k_w`.
    public func multiplyAccumulates(inputShape s: [Int]) -> Int {
        precondition(s.count == 4, "multiplyAccumulates: input shape \(s) is not (N, C, H, W)")
        let g = makeGeometry(s)
        return s[0] * outChannels * g.outPlane * g.patchSize
    }

    private func makeGeometry(_ s: [Int]) -> Conv2dGeometry {
        Conv2dGeometry(channels: s[1], height: s[2], width: s[3], kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                       strideHeight: strideHeight, strideWidth: strideWidth,
                       paddingHeight: paddingHeight, paddingWidth: paddingWidth)
    }

    /// Output planes `H'·W'` at least this wide are computed with one gemm per image, reading and
    /// writing the `(N, K, H'·W')` tensors in place; narrower ones with one gemm per chunk of
    /// images through a `(K, B·H'·W')` scratch and a transposition (a per-image gemm would be too
    /// narrow to be efficient).
    public var perImageOutputPlane = 256

    /// Images per chunk so that the column matrix stays within `maxColumnElements`.
    private func chunkSize(_ g: Conv2dGeometry, batch n: Int) -> Int {
        Swift.max(1, Swift.min(n, maxColumnElements / Swift.max(1, g.patchSize * g.outPlane)))
    }

    // x: (N, C, H, W) → y: (N, K, H', W')
    /// Chunks of images are dealt to `KernelThreading.lanes` lanes, each with its own scratch;
    /// the lanes run concurrently when `KernelThreading.isParallel`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "\(summary): input shape \(x.shape), expected (N, \(inChannels), H, W)")
        let g = makeGeometry(x.shape)
        precondition(g.outHeight > 0 && g.outWidth > 0, "\(summary): input \(x.shape) is smaller than the kernel")
        let (N, K, P, R) = (x.shape[0], outChannels, g.outPlane, g.patchSize)
        input = x
        geometry = g
        columnsHoldInput = false
        if N == 0 { return .zeros([0, K, g.outHeight, g.outWidth]) }
        let chunk = chunkSize(g, batch: N), chunks = (N + chunk - 1) / chunk
        let lanes = Swift.min(chunks, Swift.max(1, KernelThreading.lanes))
        let perImage = P >= perImageOutputPlane
        let columnSize = R * chunk * P, scratchSize = perImage ? 0 : K * chunk * P
        if columns.count < lanes * columnSize { columns = [Scalar](repeating: 0, count: lanes * columnSize) }
        if transposedScratch.count < lanes * scratchSize { transposedScratch = [Scalar](repeating: 0, count: lanes * scratchSize) }
        let concurrent = lanes > 1 && KernelThreading.isParallel
        // Every element is written by the gemms or the transposition below, so no zero fill is needed.
        var y = [Scalar](unsafeUninitializedCapacity: N * K * P) { _, count in count = N * K * P }
        let biasValues = bias?.value.scalars
        x.scalars.withUnsafeBufferPointer { xp in
            weight.value.scalars.withUnsafeBufferPointer { wp in
                columns.withUnsafeMutableBufferPointer { colp in
                    transposedScratch.withUnsafeMutableBufferPointer { tp in
                        y.withUnsafeMutableBufferPointer { yp in
                            let (w, ys) = (start(wp), start(yp))
                            withSingleThreadedBLAS(concurrent) {
                                parallelFor(lanes, serial: !concurrent) { lane in
                                    let col = start(colp) + lane * columnSize
                                    let colBuffer = UnsafeMutableBufferPointer(start: col, count: columnSize)
                                    let t = (tp.baseAddress ?? ys) + lane * scratchSize  // unused when `perImage`
                                    for n0 in stride(from: lane * chunk, to: N, by: lanes * chunk) {
                                        let nb = Swift.min(chunk, N - n0), ld = nb * P
                                        g.im2col(xp, images: n0, count: nb, into: colBuffer, serially: concurrent)
                                        if perImage {
                                            // Y_b (K, H'W') = W · col_b, written straight into image b of y.
                                            for b in 0..<nb {
                                                let yb = ys + (n0 + b) * K * P
                                                Scalar.gemm(transA: false, transB: false, m: K, n: P, k: R,
                                                            alpha: 1, a: w, lda: R, b: col + b * P, ldb: ld, beta: 0, c: yb, ldc: P)
                                                if let biasValues {
                                                    for k in 0..<K { let bk = biasValues[k], row = yb + k * P; for q in 0..<P { row[q] += bk } }
                                                }
                                            }
                                            continue
                                        }
                                        Scalar.gemm(transA: false, transB: false, m: K, n: ld, k: R,
                                                    alpha: 1, a: w, lda: R, b: col, ldb: ld, beta: 0, c: t, ldc: ld)
                                        // (K, B, H'W') → (N, K, H'W'), adding the bias.
                                        parallelFor(K, serial: concurrent || K * ld < 1 << 15) { k in
                                            let bk: Scalar = biasValues?[k] ?? 0
                                            for b in 0..<nb {
                                                let src = t + k * ld + b * P, dst = ys + ((n0 + b) * K + k) * P
                                                for q in 0..<P { dst[q] = src[q] + bk }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        columnsHoldInput = chunks == 1
        return Tensor(shape: [N, K, g.outHeight, g.outWidth], scalars: y)
    }

    // G: (N, K, H', W') → ∂L/∂x: (N, C, H, W)
    /// Lanes as in `forward`; with several lanes, each sums its chunks' `∂L/∂W` and `∂L/∂b` in its
    /// own buffer, and the lanes' sums are added to the gradients in lane order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ gradOutput: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input, let g = geometry else { preconditionFailure("\(summary): backward without forward") }
        let (N, K, P, R) = (x.shape[0], outChannels, g.outPlane, g.patchSize)
        precondition(gradOutput.shape == [N, K, g.outHeight, g.outWidth],
                     "\(summary): gradient shape \(gradOutput.shape), expected \([N, K, g.outHeight, g.outWidth])")
        var gx = [Scalar](repeating: 0, count: x.count)
        if N == 0 { return Tensor(shape: x.shape, scalars: gx) }
        let chunk = chunkSize(g, batch: N), chunks = (N + chunk - 1) / chunk
        let lanes = Swift.min(chunks, Swift.max(1, KernelThreading.lanes))
        let perImage = P >= perImageOutputPlane, hasBias = bias != nil
        let columnSize = R * chunk * P, scratchSize = perImage ? 0 : K * chunk * P
        if columns.count < lanes * columnSize { columns = [Scalar](repeating: 0, count: lanes * columnSize) }
        if transposedScratch.count < lanes * scratchSize { transposedScratch = [Scalar](repeating: 0, count: lanes * scratchSize) }
        let concurrent = lanes > 1 && KernelThreading.isParallel
        // One lane accumulates straight into ∂L/∂W; several use partial sums (lane l at l·K·R).
        var partialWeightGrad = [Scalar](repeating: 0, count: lanes > 1 ? lanes * K * R : 0)
        var biasGrad = [Scalar](repeating: 0, count: lanes * K)
        let reuseColumns = columnsHoldInput, computeInput = computesInputGradient
        x.scalars.withUnsafeBufferPointer { xp in
            gradOutput.scalars.withUnsafeBufferPointer { gp in
                weight.value.scalars.withUnsafeBufferPointer { wp in
                    weight.grad.scalars.withUnsafeMutableBufferPointer { wgp in
                        partialWeightGrad.withUnsafeMutableBufferPointer { pwp in
                            columns.withUnsafeMutableBufferPointer { colp in
                                transposedScratch.withUnsafeMutableBufferPointer { tp in
                                    gx.withUnsafeMutableBufferPointer { gxp in
                                        biasGrad.withUnsafeMutableBufferPointer { bgp in
                                            let (w, gs) = (start(wp), start(gp))
                                            withSingleThreadedBLAS(concurrent) {
                                                parallelFor(lanes, serial: !concurrent) { lane in
                                                    let dW = lanes > 1 ? start(pwp) + lane * K * R : start(wgp)
                                                    let dB = start(bgp) + lane * K
                                                    let col = start(colp) + lane * columnSize
                                                    let colBuffer = UnsafeMutableBufferPointer(start: col, count: columnSize)
                                                    let t = (tp.baseAddress ?? col) + lane * scratchSize  // unused when `perImage`
                                                    for n0 in stride(from: lane * chunk, to: N, by: lanes * chunk) {
                                                        let nb = Swift.min(chunk, N - n0), ld = nb * P
                                                        if perImage {
                                                            if hasBias {
                                                                for k in 0..<K {
                                                                    var s: Scalar = 0
                                                                    for b in 0..<nb { let src = gs + ((n0 + b) * K + k) * P; for q in 0..<P { s += src[q] } }
                                                                    dB[k] += s
                                                                }
                                                            }
                                                            if !reuseColumns { g.im2col(xp, images: n0, count: nb, into: colBuffer, serially: concurrent) }
                                                            // ∂L/∂W += G_b · col_bᵀ, G_b (K, H'W') read in place from image b of G.
                                                            for b in 0..<nb {
                                                                Scalar.gemm(transA: false, transB: true, m: K, n: R, k: P, alpha: 1,
                                                                            a: gs + (n0 + b) * K * P, lda: P, b: col + b * P, ldb: ld,
                                                                            beta: 1, c: dW, ldc: R)
                                                            }
                                                            if !computeInput { continue }
                                                            for b in 0..<nb {
                                                                Scalar.gemm(transA: true, transB: false, m: R, n: P, k: K, alpha: 1,
                                                                            a: w, lda: R, b: gs + (n0 + b) * K * P, ldb: P,
                                                                            beta: 0, c: col + b * P, ldc: ld)
                                                            }
                                                            g.col2im(UnsafeBufferPointer(colBuffer), images: n0, count: nb, addingInto: gxp, serially: concurrent)
                                                            continue
                                                        }
                                                        // (N, K, H'W') → (K, B·H'W'); the bias gradient is each row's sum.
                                                        parallelFor(K, serial: concurrent || K * ld < 1 << 15) { k in
                                                            var s: Scalar = 0
                                                            for b in 0..<nb {
                                                                let src = gs + ((n0 + b) * K + k) * P, dst = t + k * ld + b * P
                                                                for q in 0..<P { dst[q] = src[q]; s += src[q] }
                                                            }
                                                            dB[k] += s
                                                        }
                                                        if !reuseColumns { g.im2col(xp, images: n0, count: nb, into: colBuffer, serially: concurrent) }
                                                        Scalar.gemm(transA: false, transB: true, m: K, n: R, k: ld,
                                                                    alpha: 1, a: t, lda: ld, b: col, ldb: ld, beta: 1, c: dW, ldc: R)
                                                        if !computeInput { continue }
                                                        // col ← Wᵀ·G (the columns of x are no longer needed).
                                                        Scalar.gemm(transA: true, transB: false, m: R, n: ld, k: K,
                                                                    alpha: 1, a: w, lda: R, b: t, ldb: ld, beta: 0, c: col, ldc: ld)
                                                        g.col2im(UnsafeBufferPointer(colBuffer), images: n0, count: nb, addingInto: gxp, serially: concurrent)
                                                    }
                                                }
                                            }
                                            if lanes > 1 {
                                                let dW = start(wgp), partial = start(pwp)
                                                for lane in 0..<lanes {
                                                    let p = partial + lane * K * R
                                                    for e in 0..<(K * R) { dW[e] += p[e] }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        columnsHoldInput = false
        if let bias {
            bias.grad.scalars.withUnsafeMutableBufferPointer { bg in
                for lane in 0..<lanes { for k in 0..<K { bg[k] += biasGrad[lane * K + k] } }
            }
        }
        return Tensor(shape: x.shape, scalars: gx)
    }
}

/// The first element of a non-empty buffer (callers have checked the sizes).
@inline(__always)
func start<T>(_ b: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<T> {
    guard let p = b.baseAddress else { preconditionFailure("empty buffer where data was expected") }
    return p
}

/// The first element of a non-empty buffer (callers have checked the sizes).
@inline(__always)
func start<T>(_ b: UnsafeBufferPointer<T>) -> UnsafePointer<T> {
    guard let p = b.baseAddress else { preconditionFailure("empty buffer where data was expected") }
    return p
}
