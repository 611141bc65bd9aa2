import TensorCore

/// The index arithmetic of a 2-D convolution or pooling window, and the `im2col`/`col2im`
/// rearrangements that turn a convolution into one matrix product.
///
/// `H' = ⌊(H + 2p_h − k_h)/s_h⌋ + 1`, `W' = ⌊(W + 2p_w − k_w)/s_w⌋ + 1`; output pixel `(h', w')`
/// reads input pixel `(h'·s_h − p_h + i, w'·s_w − p_w + j)` for window offset `(i, j)`.
/// Layout of the column matrix for images `n₀..<n₀+B`: row `r = (c·k_h + i)·k_w + j` (the
/// `C·k_h·k_w` rows match the flattened weight `(K, C, k_h, k_w)`), column `q = b·H'W' + h'·W' + w'`.
/// Reference: Chellapilla, Puri & Simard, "High Performance Convolutional Neural Networks for
/// Document Processing" (2006).
struct Conv2dGeometry: Equatable {
    var channels: Int, height: Int, width: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideHeight: Int, strideWidth: Int
    var paddingHeight: Int, paddingWidth: Int

    var outHeight: Int { (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    var outWidth: Int { (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    /// `C·k_h·k_w`, the rows of the column matrix.
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// `H'·W'`.
    var outPlane: Int { outHeight * outWidth }
    /// `H·W`.
    var inPlane: Int { height * width }

    /// The output columns `w'` whose input column `w'·s_w − p_w + j` lies inside `0..<W`.
    @inline(__always)
    func validColumns(_ j: Int) -> Range<Int> {
        let offset = paddingWidth - j
        let lo = offset > 0 ? (offset + strideWidth - 1) / strideWidth : 0
        let last = width - 1 + offset
        let hi = last < 0 ? 0 : Swift.min(outWidth, last / strideWidth + 1)
        return lo..<Swift.max(lo, hi)
    }

    /// Writes the column matrix of images `n0..<n0+count` of `x` (N, C, H, W) into `col`
    /// (C·k_h·k_w, count·H'·W'). Parallel over the rows of `col`, which are disjoint.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func im2col<Scalar: BLASScalar>(_ x: UnsafeBufferPointer<Scalar>, images n0: Int, count: Int,
                                    into col: UnsafeMutableBufferPointer<Scalar>) {
        guard let xs = x.baseAddress, let cs = col.baseAddress else { return }
        let (C, H, W) = (channels, height, width)
        let (kh, kw, sh, sw, ph, pw) = (kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth)
        let (Ho, Wo, P) = (outHeight, outWidth, outPlane)
        let ld = count * P
        precondition(col.count >= patchSize * ld, "im2col: column buffer \(col.count) < \(patchSize * ld)")
        let rows = patchSize
        parallelFor(rows, serial: rows * ld < 1 << 15) { r in
            let c = r / (kh * kw), i = (r / kw) % kh, j = r % kw
            let valid = validColumns(j)
            for b in 0..<count {
                let xc = xs + ((n0 + b) * C + c) * H * W
                let dst = cs + r * ld + b * P
                for oh in 0..<Ho {
                    let d = dst + oh * Wo
                    let ih = oh * sh - ph + i
                    if ih < 0 || ih >= H {
                        d.update(repeating: 0, count: Wo)
                        continue
                    }
                    let xrow = xc + ih * W
                    for ow in 0..<valid.lowerBound { d[ow] = 0 }
                    let src = xrow + (valid.lowerBound * sw - pw + j), dv = d + valid.lowerBound
                    switch sw {
                    case 1: dv.update(from: src, count: valid.count)
                    case 2: for t in 0..<valid.count { dv[t] = src[2 * t] }  // constant stride: vectorisable
                    default: for t in 0..<valid.count { dv[t] = src[t * sw] }
                    }
                    for ow in valid.upperBound..<Wo { d[ow] = 0 }
                }
            }
        }
    }

    /// Adds the column-matrix gradient `col` (C·k_h·k_w, count·H'·W') back onto the input
    /// gradient `gx` (N, C, H, W) of images `n0..<n0+count`: the adjoint of `im2col`.
    /// Parallel over (channel, block of images) pairs, whose slices of `gx` are disjoint.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func col2im<Scalar: BLASScalar>(_ col: UnsafeBufferPointer<Scalar>, images n0: Int, count: Int,
                                    addingInto gx: UnsafeMutableBufferPointer<Scalar>) {
        guard let cs = col.baseAddress, let gs = gx.baseAddress else { return }
        let (C, H, W) = (channels, height, width)
        let (kh, kw, sh, sw, ph, pw) = (kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth)
        let (Ho, Wo, P) = (outHeight, outWidth, outPlane)
        let ld = count * P
        // Few channels (the first layer): split the images too, so that all cores have work.
        let blocks = C >= 16 ? 1 : Swift.min(count, 16)
        let perBlock = (count + blocks - 1) / blocks
        parallelFor(C * blocks, serial: patchSize * ld < 1 << 15) { task in
            let c = task / blocks, block = task % blocks
            let images = Swift.min(count, block * perBlock)..<Swift.min(count, (block + 1) * perBlock)
            for i in 0..<kh {
                for j in 0..<kw {
                    let r = (c * kh + i) * kw + j
                    let valid = validColumns(j)
                    for b in images {
                        let gc = gs + ((n0 + b) * C + c) * H * W
                        let src = cs + r * ld + b * P
                        for oh in 0..<Ho {
                            let ih = oh * sh - ph + i
                            if ih < 0 || ih >= H { continue }
                            let s = src + oh * Wo
                            let grow = gc + ih * W
                            let dst = grow + (valid.lowerBound * sw - pw + j), sv = s + valid.lowerBound
                            switch sw {
                            case 1: for t in 0..<valid.count { dst[t] += sv[t] }
                            case 2: for t in 0..<valid.count { dst[2 * t] += sv[t] }
                            default: for t in 0..<valid.count { dst[t * sw] += sv[t] }
                            }
                        }
                    }
                }
            }
        }
    }
}
