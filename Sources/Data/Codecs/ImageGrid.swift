import TensorCore

extension Image {
    /// Sample `index` of a `(N, C, H, W)` batch.
    public init(batch: Tensor<Float>, index: Int) {
        precondition(batch.rank == 4, "expected a (N, C, H, W) batch, got shape \(batch.shape)")
        precondition(index >= 0 && index < batch.shape[0], "sample \(index) out of range 0..<\(batch.shape[0])")
        let n = batch.shape[1] * batch.shape[2] * batch.shape[3]
        self.init(channels: batch.shape[1], height: batch.shape[2], width: batch.shape[3],
                  pixels: Array(batch.scalars[(index * n)..<((index + 1) * n)]))
    }
}

/// Tiles images into one picture (a contact sheet), e.g. view pairs of a batch.
public enum ImageGrid {
    /// Rows of equal-size images, `padding` pixels of `background` between and around them.
    /// One-channel images are promoted to RGB when any image has three channels.
    public static func tile(_ rows: [[Image]], padding: Int = 2, background: Float = 1) -> Image {
        let all = rows.flatMap { $0 }
        precondition(!all.isEmpty, "ImageGrid.tile needs at least one image")
        let h = all[0].height, w = all[0].width
        precondition(all.allSatisfy { $0.height == h && $0.width == w },
                     "ImageGrid.tile needs images of equal size, got \(all.map { "\($0.height)×\($0.width)" })")
        let C = all.contains { $0.channels == 3 } ? 3 : 1
        let columns = rows.map(\.count).max() ?? 0
        let H = rows.count * (h + padding) + padding, W = columns * (w + padding) + padding
        var out = Image(channels: C, height: H, width: W, repeating: background)
        for (r, row) in rows.enumerated() {
            for (k, image) in row.enumerated() {
                let top = padding + r * (h + padding), left = padding + k * (w + padding)
                for c in 0..<C {
                    let sc = image.channels == 1 ? 0 : c
                    for y in 0..<h {
                        for x in 0..<w {
                            out.pixels[(c * H + top + y) * W + left + x] = image.pixels[(sc * h + y) * w + x]
                        }
                    }
                }
            }
        }
        return out
    }

    /// The first `maxSamples` samples of a two-view batch, `pairsPerRow` `view1 | view2` pairs
    /// per row, denormalised with `normalization` so that the views show as the network's input
    /// images in `[0, 1]` (a wider gap separates pairs than the two views of one pair).
    public static func viewPairs(_ batch: TwoViewBatch, normalization: ChannelNormalization,
                                 pairsPerRow: Int = 4, maxSamples: Int = 16) -> Image {
        precondition(pairsPerRow > 0, "pairsPerRow must be positive, got \(pairsPerRow)")
        let n = min(maxSamples, batch.count)
        precondition(n > 0, "viewPairs needs at least one sample")
        var rows = [[Image]]()
        for start in stride(from: 0, to: n, by: pairsPerRow) {
            var row = [Image]()
            for i in start..<min(start + pairsPerRow, n) {
                let a = normalization.denormalized(Image(batch: batch.view1, index: i))
                let b = normalization.denormalized(Image(batch: batch.view2, index: i))
                row.append(tile([[a, b]], padding: 1, background: 0.5))
            }
            rows.append(row)
        }
        return tile(rows, padding: 3, background: 1)
    }

    /// Writes ``viewPairs(_:normalization:pairsPerRow:maxSamples:)`` to a PNG file.
    public static func writeViewPairs(_ batch: TwoViewBatch, normalization: ChannelNormalization,
                                      to path: String, pairsPerRow: Int = 4, maxSamples: Int = 16) throws(DataError) {
        let grid = viewPairs(batch, normalization: normalization, pairsPerRow: pairsPerRow, maxSamples: maxSamples)
        try PNGCodec.write(grid, to: path, scaling: .unit)
    }
}
