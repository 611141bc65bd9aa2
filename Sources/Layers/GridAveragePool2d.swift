import TensorCore

/// Average pooling onto an `s × s` grid, flattened: PyTorch `nn.AdaptiveAvgPool2d(s)` followed by
/// `flatten(1)`. Cell `(i, j)` of plane `(n, c)` averages rows `⌊iH/s⌋ ..< ⌈(i+1)H/s⌉` and columns
/// `⌊jW/s⌋ ..< ⌈(j+1)W/s⌉`:
///
///     y[n, (c·s + i)·s + j] = (1/|R_i||C_j|) Σ_{h∈R_i, w∈C_j} x[n,c,h,w]
///
/// Backward spreads each cell's gradient evenly over its window (windows may overlap when `s`
/// does not divide the size; their contributions add). With `s = 1` this is global average
/// pooling. It keeps coarse spatial layout in the feature, which matters for aligned images such
/// as Fashion-MNIST (the `small` preset's `pool_grid` setting).
public final class GridAveragePool2d<Scalar: BLASScalar>: Layer {
    /// No mode-dependent behaviour; kept for the protocol.
    public var isTraining = true
    /// The grid side `s`.
    public let grid: Int
    private var inputShape: [Int] = []

    /// Average pooling onto a `grid × grid` grid.
    public init(grid: Int) {
        precondition(grid >= 1, "GridAveragePool2d: grid \(grid) must be ≥ 1")
        self.grid = grid
    }

    public var summary: String { "GridAveragePool2d(\(grid)×\(grid))" }
    public var parameters: [Parameter<Scalar>] { [] }
    public var buffers: [Parameter<Scalar>] { [] }
    public func copy() -> GridAveragePool2d {
        let l = GridAveragePool2d(grid: grid)
        l.isTraining = isTraining
        return l
    }

    /// The window `⌊i·n/s⌋ ..< ⌈(i+1)·n/s⌉` of cell `i` along an axis of length `n`.
    @inlinable
    static func window(_ i: Int, _ n: Int, _ s: Int) -> Range<Int> {
        (i * n / s) ..< (((i + 1) * n + s - 1) / s)
    }

    /// Every cell's row window and column window on an `H × W` map.
    private func windows(height H: Int, width W: Int) -> (rows: [Range<Int>], cols: [Range<Int>]) {
        ((0..<grid).map { Self.window($0, H, grid) }, (0..<grid).map { Self.window($0, W, grid) })
    }

    // x: (N, C, H, W) → y: (N, C·s·s)
    /// When the grid is the map itself (`H = W = s`, the `small` preset's `pool_grid = 4` on a
    /// 4×4 map) every window is one pixel: `y` is `x` reshaped, and no copy is made.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(x.rank == 4 && x.shape[2] >= grid && x.shape[3] >= grid,
                     "\(summary): input shape \(x.shape) is not (N, C, H ≥ \(grid), W ≥ \(grid))")
        let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let s = grid
        inputShape = x.shape
        if H == s && W == s { return x.reshaped([N, C * s * s]) }
        let (rows, cols) = windows(height: H, width: W)
        var y = [Scalar](repeating: 0, count: N * C * s * s)
        x.scalars.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                for p in 0..<(N * C) {
                    let plane = p * H * W
                    for i in 0..<s {
                        for j in 0..<s {
                            var sum: Scalar = 0
                            for h in rows[i] { for w in cols[j] { sum += xp[plane + h * W + w] } }
                            yp[(p * s + i) * s + j] = sum / Scalar(rows[i].count * cols[j].count)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [N, C * s * s], scalars: y)
    }

    // g: (N, C·s·s) → ∂L/∂x: (N, C, H, W)
    /// With one pixel per window (`H = W = s`) the gradient is `g` reshaped.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ g: Tensor<Scalar>) -> Tensor<Scalar> {
        let s = grid
        precondition(inputShape.count == 4 && g.shape == [inputShape[0], inputShape[1] * s * s],
                     "\(summary): gradient shape \(g.shape), forward input \(inputShape)")
        let (N, C, H, W) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        if H == s && W == s { return g.reshaped(inputShape) }
        let (rows, cols) = windows(height: H, width: W)
        var gx = [Scalar](repeating: 0, count: N * C * H * W)
        gx.withUnsafeMutableBufferPointer { gp in
            g.scalars.withUnsafeBufferPointer { gy in
                for p in 0..<(N * C) {
                    let plane = p * H * W
                    for i in 0..<s {
                        for j in 0..<s {
                            let v = gy[(p * s + i) * s + j] / Scalar(rows[i].count * cols[j].count)
                            for h in rows[i] { for w in cols[j] { gp[plane + h * W + w] += v } }
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: gx)
    }
}
