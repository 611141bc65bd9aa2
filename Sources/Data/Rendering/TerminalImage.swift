/// How a terminal shows colours.
public enum TerminalColorMode: String, Sendable, CaseIterable {
    /// 24-bit colour escapes (`ESC[38;2;r;g;bm`).
    case trueColor
    /// The xterm 256-colour palette (6×6×6 cube and 24-step gray ramp).
    case ansi256
    /// No escapes: a grayscale character ramp.
    case plain
}

/// Images as text for a terminal: each character cell shows two pixel rows with the upper half
/// block `▀`, the upper pixel as foreground colour and the lower one as background colour; in
/// `plain` mode one character of the ramp ` .:-=+*#%@` per pixel pair.
public enum TerminalImage {
    /// The characters of the plain ramp, darkest first.
    public static let ramp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// The lines of one image (⌈H/2⌉ lines of `W` cells each).
    public static func lines(_ image: Image, mode: TerminalColorMode = .trueColor,
                             scaling: IntensityScaling = .unit) -> [String] {
        let q = scaling.quantize(image)
        let H = q.height, W = q.width, n = H * W
        func rgb(_ y: Int, _ x: Int) -> (Int, Int, Int) {
            guard y < H else { return (0, 0, 0) }
            let i = y * W + x
            if q.channels >= 3 {
                return (Int(q.pixels[i]), Int(q.pixels[n + i]), Int(q.pixels[2 * n + i]))
            }
            let v = Int(q.pixels[i])
            return (v, v, v)
        }
        var out = [String]()
        for y in stride(from: 0, to: H, by: 2) {
            var line = ""
            for x in 0..<W {
                let top = rgb(y, x), bottom = rgb(y + 1, x)
                switch mode {
                case .trueColor:
                    line += "\u{1B}[38;2;\(top.0);\(top.1);\(top.2)m\u{1B}[48;2;\(bottom.0);\(bottom.1);\(bottom.2)m▀"
                case .ansi256:
                    let isGray = q.channels == 1
                    line += "\u{1B}[38;5;\(palette(top, gray: isGray))m\u{1B}[48;5;\(palette(bottom, gray: isGray))m▀"
                case .plain:
                    let lum = (luma(top) + (y + 1 < H ? luma(bottom) : luma(top))) / 2
                    line.append(ramp[min(ramp.count - 1, Int(lum * Double(ramp.count) / 256))])
                }
            }
            if mode != .plain { line += "\u{1B}[0m" }
            out.append(line)
        }
        return out
    }

    /// One image as a string of lines.
    public static func render(_ image: Image, mode: TerminalColorMode = .trueColor,
                              scaling: IntensityScaling = .unit) -> String {
        lines(image, mode: mode, scaling: scaling).joined(separator: "\n")
    }

    /// Images side by side (e.g. the two views of a sample), `gap` spaces apart, with optional
    /// captions above them.
    public static func renderSideBySide(_ images: [Image], captions: [String] = [],
                                        mode: TerminalColorMode = .trueColor,
                                        scaling: IntensityScaling = .unit, gap: Int = 2) -> String {
        precondition(captions.isEmpty || captions.count == images.count,
                     "got \(captions.count) captions for \(images.count) images")
        let blocks = images.map { lines($0, mode: mode, scaling: scaling) }
        let height = blocks.map(\.count).max() ?? 0
        let spacer = String(repeating: " ", count: gap)
        var out = [String]()
        if !captions.isEmpty {
            out.append(zip(captions, images).map { caption, image in
                let c = String(caption.prefix(image.width))
                return c + String(repeating: " ", count: image.width - c.count)
            }.joined(separator: spacer))
        }
        for row in 0..<height {
            out.append(zip(blocks, images).map { block, image in
                row < block.count ? block[row] : String(repeating: " ", count: image.width)
            }.joined(separator: spacer))
        }
        return out.joined(separator: "\n")
    }

    private static func luma(_ c: (Int, Int, Int)) -> Double {
        0.2989 * Double(c.0) + 0.587 * Double(c.1) + 0.114 * Double(c.2)
    }

    /// The nearest xterm-256 index: the gray ramp 232–255 (plus 16 and 231) for gray, else the cube.
    private static func palette(_ c: (Int, Int, Int), gray: Bool) -> Int {
        if gray {
            let v = c.0
            if v < 4 { return 16 }
            if v > 246 { return 231 }
            return 232 + min(23, max(0, Int((Double(v - 8) / 10).rounded())))
        }
        func level(_ v: Int) -> Int { Int((Double(v) / 255 * 5).rounded()) }
        return 16 + 36 * level(c.0) + 6 * level(c.1) + level(c.2)
    }
}
