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

    /// For window offset `(i, j)` and output pixel `q = h'·W' + w'`, entry `(i·k_w + j)·H'W' + q`
    /// is the offset `ih·W + iw` of the input pixel it reads in its `H×W` plane, or `H·W` (one past
    /// the plane: a zero the callers append) where it falls in the padding.
    func gatherTable() -> [Int] {
        let (H, W, Wo, P) = (height, width, outWidth, outPlane)
        var table = [Int](repeating: H * W, count: kernelHeight * kernelWidth * P)
        for i in 0..<kernelHeight {
            for j in 0..<kernelWidth {
                let base = (i * kernelWidth + j) * P
                for q in 0..<P {
                    let ih = (q / Wo) * strideHeight - paddingHeight + i, iw = (q % Wo) * strideWidth - paddingWidth + j
                    if ih >= 0 && ih < H && iw >= 0 && iw < W { table[base + q] = ih * W + iw }
                }
            }
        }
        return table
    }

    /// Images per task of the parallel loops: a few large blocks (one per core is enough).
    private func imageBlocks(_ count: Int) -> Int { Swift.min(count, 16) }

    /// Writes the column matrix of images `n0..<n0+count` of `x` (N, C, H, W) into `col`
    /// (C·k_h·k_w, count·H'·W').
    ///
    /// Each input plane is copied once into a scratch plane followed by one zero (it stays in L1);
    /// every row segment of `col` is then one branch-free gather from it through `gatherTable`.
    /// Parallel over blocks of images, whose column segments are disjoint (unless `serially`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func im2col<Scalar: BLASScalar>(_ x: UnsafeBufferPointer<Scalar>, images n0: Int, count: Int,
                                    into col: UnsafeMutableBufferPointer<Scalar>, serially: Bool = false) {
        guard let xs = x.baseAddress, let cs = col.baseAddress else { return }
        let (C, HW, taps, P) = (channels, inPlane, kernelHeight * kernelWidth, outPlane)
        let ld = count * P
        precondition(col.count >= patchSize * ld, "im2col: column buffer \(col.count) < \(patchSize * ld)")
        precondition(x.count >= (n0 + count) * C * HW, "im2col: input buffer \(x.count) < \((n0 + count) * C * HW)")
        let table = gatherTable()
        let blocks = imageBlocks(count), perBlock = (count + blocks - 1) / blocks
        parallelFor(blocks, serial: serially || patchSize * ld < 1 << 15) { block in
            var plane = [Scalar](repeating: 0, count: HW + 1)
            plane.withUnsafeMutableBufferPointer { pp in
                table.withUnsafeBufferPointer { tp in
                    guard let s = pp.baseAddress, let t0 = tp.baseAddress else { return }
                    for b in Swift.min(count, block * perBlock)..<Swift.min(count, (block + 1) * perBlock) {
                        for c in 0..<C {
                            s.update(from: xs + ((n0 + b) * C + c) * HW, count: HW)  // s[HW] stays 0
                            for tap in 0..<taps {
                                let dst = cs + (c * taps + tap) * ld + b * P, t = t0 + tap * P
                                for q in 0..<P { dst[q] = s[t[q]] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the column-matrix gradient `col` (C·k_h·k_w, count·H'·W') back onto the input
    /// gradient `gx` (N, C, H, W) of images `n0..<n0+count`: the adjoint of `im2col`.
    ///
    /// Each plane's contributions are summed in a zeroed scratch plane (plus one slot that
    /// collects, and discards, the padding's), window offset by window offset in the order
    /// `(i, j)`; the plane is then added onto `gx`, which the caller passes zeroed, so the sums
    /// are those of adding straight into `gx`. Parallel over blocks of images, whose slices of
    /// `gx` are disjoint (unless `serially`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func col2im<Scalar: BLASScalar>(_ col: UnsafeBufferPointer<Scalar>, images n0: Int, count: Int,
                                    addingInto gx: UnsafeMutableBufferPointer<Scalar>, serially: Bool = false) {
        guard let cs = col.baseAddress, let gs = gx.baseAddress else { return }
        let (C, HW, taps, P) = (channels, inPlane, kernelHeight * kernelWidth, outPlane)
        let ld = count * P
        precondition(col.count >= patchSize * ld, "col2im: column buffer \(col.count) < \(patchSize * ld)")
        precondition(gx.count >= (n0 + count) * C * HW, "col2im: gradient buffer \(gx.count) < \((n0 + count) * C * HW)")
        let table = gatherTable()
        let blocks = imageBlocks(count), perBlock = (count + blocks - 1) / blocks
        parallelFor(blocks, serial: serially || patchSize * ld < 1 << 15) { block in
            var plane = [Scalar](repeating: 0, count: HW + 1)
            plane.withUnsafeMutableBufferPointer { pp in
                table.withUnsafeBufferPointer { tp in
                    guard let s = pp.baseAddress, let t0 = tp.baseAddress else { return }
                    for b in Swift.min(count, block * perBlock)..<Swift.min(count, (block + 1) * perBlock) {
                        for c in 0..<C {
                            s.update(repeating: 0, count: HW)
                            for tap in 0..<taps {
                                // Distinct outputs of one window offset read distinct inputs.
                                let src = cs + (c * taps + tap) * ld + b * P, t = t0 + tap * P
                                for q in 0..<P { s[t[q]] += src[q] }
                            }
                            let g = gs + ((n0 + b) * C + c) * HW
                            for e in 0..<HW { g[e] += s[e] }
                        }
                    }
                }
            }
        }
    }
}
