extension Image {
    /// The window `(top, left, height, width)` of the image resized to `outHeight × outWidth` by
    /// bilinear interpolation with half-pixel centres (PyTorch's `interpolate(mode="bilinear",
    /// align_corners=False)`, no antialiasing).
    ///
    /// Output pixel `y` samples the window at `s = (y + ½)·h/H' − ½`, clamped below at 0, between
    /// rows `⌊s⌋` and `min(⌊s⌋+1, h−1)` with weight `s − ⌊s⌋`; likewise for columns. At equal
    /// sizes, `s = y` and the window is copied exactly.
    public func resizedCrop(top: Int, left: Int, height h: Int, width w: Int,
                            outHeight: Int, outWidth: Int) -> Image {
        precondition(top >= 0 && left >= 0 && h > 0 && w > 0 && top + h <= height && left + w <= width,
                     "crop (top \(top), left \(left), \(h)×\(w)) outside \(height)×\(width)")
        precondition(outHeight > 0 && outWidth > 0, "output size must be positive, got \(outHeight)×\(outWidth)")
        let (y0, y1, wy) = Image.bilinearTaps(inSize: h, outSize: outHeight, offset: top)
        let (x0, x1, wx) = Image.bilinearTaps(inSize: w, outSize: outWidth, offset: left)
        var out = [Float](repeating: 0, count: channels * outHeight * outWidth)
        let W = width, H = height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                y0.withUnsafeBufferPointer { y0 in y1.withUnsafeBufferPointer { y1 in wy.withUnsafeBufferPointer { wy in
                x0.withUnsafeBufferPointer { x0 in x1.withUnsafeBufferPointer { x1 in wx.withUnsafeBufferPointer { wx in
                    for c in 0..<channels {
                        let sBase = c * H * W, dBase = c * outHeight * outWidth
                        for oy in 0..<outHeight {
                            let r0 = sBase + y0[oy] * W, r1 = sBase + y1[oy] * W
                            let fy = wy[oy], gy = 1 - fy
                            let d = dBase + oy * outWidth
                            for ox in 0..<outWidth {
                                let a = x0[ox], b = x1[ox], fx = wx[ox], gx = 1 - fx
                                let top = gx * src[r0 + a] + fx * src[r0 + b]
                                let bottom = gx * src[r1 + a] + fx * src[r1 + b]
                                dst[d + ox] = gy * top + fy * bottom
                            }
                        }
                    }
                }}}
                }}}
            }
        }
        return Image(channels: channels, height: outHeight, width: outWidth, pixels: out)
    }

    /// The image resized to `outHeight × outWidth` (bilinear, see ``resizedCrop``).
    public func resized(outHeight: Int, outWidth: Int) -> Image {
        resizedCrop(top: 0, left: 0, height: height, width: width, outHeight: outHeight, outWidth: outWidth)
    }

    /// The centre `h × w` window (torchvision's `center_crop` for windows inside the image).
    public func centerCropped(height h: Int, width w: Int) -> Image {
        resizedCrop(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w, outHeight: h, outWidth: w)
    }

    /// Source indices and weights of each output position along one axis.
    static func bilinearTaps(inSize: Int, outSize: Int, offset: Int) -> ([Int], [Int], [Float]) {
        let scale = Double(inSize) / Double(outSize)
        var i0 = [Int](repeating: 0, count: outSize), i1 = i0
        var f = [Float](repeating: 0, count: outSize)
        for o in 0..<outSize {
            let s = max((Double(o) + 0.5) * scale - 0.5, 0)
            let lo = min(Int(s), inSize - 1)
            i0[o] = offset + lo
            i1[o] = offset + min(lo + 1, inSize - 1)
            f[o] = Float(s - Double(lo))
        }
        return (i0, i1, f)
    }
}
