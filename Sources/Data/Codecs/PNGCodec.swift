import CPNG

/// PNG encoding and decoding through libpng's simplified API (`png_image_*`), which reports
/// failures in `png_image.warning_or_error`/`message` rather than by `longjmp`.
///
/// Images are 8-bit grayscale or RGB; decoding converts any PNG (palette, 16-bit, alpha
/// composited onto black) to the channel count of its colour type.
public enum PNGCodec {
    /// The 8-byte PNG signature.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG bytes of an 8-bit grayscale or RGB image; `name` only labels errors.
    public static func encode(_ image: UInt8Image, name: String = "<memory>") throws(DataError) -> [UInt8] {
        precondition(image.channels == 1 || image.channels == 3,
                     "PNG images have 1 or 3 channels here, got \(image.channels)")
        let interleaved = toInterleaved(image)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.channels == 3 ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        var size: png_alloc_size_t = 0
        let stride = Int32(image.width * image.channels)
        let ok = interleaved.withUnsafeBytes { buffer in
            png_image_write_to_memory(&png, nil, &size, 0, buffer.baseAddress, stride, nil)
        }
        guard ok != 0, size > 0 else { throw .pngEncodingFailed(path: name, message: message(of: png)) }
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok2 = out.withUnsafeMutableBytes { memory in
            interleaved.withUnsafeBytes { buffer in
                png_image_write_to_memory(&png, memory.baseAddress, &size, 0, buffer.baseAddress, stride, nil)
            }
        }
        guard ok2 != 0 else { throw .pngEncodingFailed(path: name, message: message(of: png)) }
        return Array(out[0..<Int(size)])
    }

    /// The PNG bytes of a `Float` image mapped to 8 bits by `scaling`.
    public static func encode(_ image: Image, scaling: IntensityScaling = .unit, name: String = "<memory>") throws(DataError) -> [UInt8] {
        try encode(scaling.quantize(image), name: name)
    }

    /// Writes an 8-bit image to `path` (atomically).
    public static func write(_ image: UInt8Image, to path: String) throws(DataError) {
        try FileBytes.write(try encode(image, name: path), to: path)
    }

    /// Writes a `Float` image to `path`, mapped to 8 bits by `scaling`.
    public static func write(_ image: Image, to path: String, scaling: IntensityScaling = .unit) throws(DataError) {
        try FileBytes.write(try encode(image, scaling: scaling, name: path), to: path)
    }

    /// Decodes PNG bytes to an 8-bit image with 1 (gray) or 3 (colour) channels.
    ///
    /// - Throws: ``DataError/notPNG(path:)`` for a wrong signature, ``DataError/corruptPNG(path:message:)``
    ///   with libpng's message for a damaged file.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws(DataError) -> UInt8Image {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw .notPNG(path: name) }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        guard begun != 0 else {
            let m = message(of: png)
            png_image_free(&png)
            throw .corruptPNG(path: name, message: m)
        }
        let color = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let channels = color ? 3 : 1
        png.format = color ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let width = Int(png.width), height = Int(png.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            png_image_free(&png)
            throw .corruptPNG(path: name, message: "unsupported size \(width)×\(height)")
        }
        var interleaved = [UInt8](repeating: 0, count: width * height * channels)
        let finished = interleaved.withUnsafeMutableBytes {
            png_image_finish_read(&png, nil, $0.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else {
            let m = message(of: png)
            png_image_free(&png)
            throw .corruptPNG(path: name, message: m)
        }
        return fromInterleaved(interleaved, channels: channels, height: height, width: width)
    }

    /// The size and channel count (1 gray, 3 colour) stored in the header, without decoding the pixels.
    ///
    /// - Throws: ``DataError/notPNG(path:)``, ``DataError/corruptPNG(path:message:)``.
    public static func header(_ bytes: [UInt8], name: String = "<memory>") throws(DataError) -> (channels: Int, height: Int, width: Int) {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw .notPNG(path: name) }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }
        defer { png_image_free(&png) }
        guard begun != 0 else { throw .corruptPNG(path: name, message: message(of: png)) }
        guard png.width > 0, png.height > 0 else { throw .corruptPNG(path: name, message: "unsupported size \(png.width)×\(png.height)") }
        return (png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1, Int(png.height), Int(png.width))
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(_ path: String) throws(DataError) -> UInt8Image {
        try decode(try FileBytes.readPlain(path), name: path)
    }

    /// libpng's message, or a generic one.
    private static func message(of png: png_image) -> String {
        var m = png.message
        let text = withUnsafeBytes(of: &m) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng error" : text
    }

    /// `(C, H, W)` → `(H, W, C)`.
    static func toInterleaved(_ image: UInt8Image) -> [UInt8] {
        let C = image.channels, n = image.height * image.width
        if C == 1 { return image.pixels }
        var out = [UInt8](repeating: 0, count: C * n)
        for i in 0..<n { for c in 0..<C { out[i * C + c] = image.pixels[c * n + i] } }
        return out
    }

    /// `(H, W, C)` → `(C, H, W)`.
    static func fromInterleaved(_ data: [UInt8], channels C: Int, height: Int, width: Int) -> UInt8Image {
        let n = height * width
        if C == 1 { return UInt8Image(channels: 1, height: height, width: width, pixels: data) }
        var out = [UInt8](repeating: 0, count: C * n)
        for i in 0..<n { for c in 0..<C { out[c * n + i] = data[i * C + c] } }
        return UInt8Image(channels: C, height: height, width: width, pixels: out)
    }
}
