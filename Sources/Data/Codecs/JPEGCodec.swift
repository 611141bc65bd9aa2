import CJPEGShim

/// JPEG encoding and decoding through libjpeg-turbo (ITU-T T.81 baseline and progressive JPEG).
///
/// libjpeg's fatal errors are caught in a small C shim (`CJPEGShim`, setjmp/longjmp) and come back
/// as ``DataError/corruptJPEG(path:message:)`` with libjpeg's message. Corrupt-data *warnings*
/// (a truncated file, which libjpeg would silently fill with grey) are errors here too, so a bad
/// file never becomes a silently wrong training image.
///
/// Decoding gives 1 channel for grayscale files and 3 (RGB) for every other colour space
/// (YCbCr, RGB, and Adobe CMYK/YCCK converted by `R = C·K/255`, …).
public enum JPEGCodec {
    /// Every JPEG starts with the SOI marker `FF D8` followed by another marker `FF`.
    public static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// True when `bytes` start with the JPEG signature.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// The size and channel count stored in the header, without decoding the pixels.
    ///
    /// - Throws: ``DataError/notJPEG(path:)`` for a wrong signature, ``DataError/corruptJPEG(path:message:)``
    ///   when libjpeg cannot read the header.
    public static func header(_ bytes: [UInt8], name: String = "<memory>") throws(DataError) -> (channels: Int, height: Int, width: Int) {
        guard hasSignature(bytes) else { throw .notJPEG(path: name) }
        var info = cjpeg_info()
        let status = bytes.withUnsafeBufferPointer { cjpeg_read_header($0.baseAddress, $0.count, &info) }
        guard status == 0, info.width > 0, info.height > 0 else {
            throw .corruptJPEG(path: name, message: message(of: &info, fallback: "unreadable header"))
        }
        return (Int(info.channels), Int(info.height), Int(info.width))
    }

    /// Decodes JPEG bytes to an 8-bit `(C, H, W)` image, C = 1 or 3.
    ///
    /// - Throws: ``DataError/notJPEG(path:)`` for a wrong signature, ``DataError/corruptJPEG(path:message:)``
    ///   with libjpeg's message for a damaged or truncated file.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws(DataError) -> UInt8Image {
        guard hasSignature(bytes) else { throw .notJPEG(path: name) }
        var info = cjpeg_info()
        var pixels: UnsafeMutablePointer<UInt8>?
        let status = bytes.withUnsafeBufferPointer { cjpeg_decode($0.baseAddress, $0.count, &pixels, &info) }
        guard status == 0, let pixels else {
            throw .corruptJPEG(path: name, message: message(of: &info, fallback: status == -2 ? "corrupt data" : "libjpeg error"))
        }
        defer { cjpeg_free(pixels) }
        let c = Int(info.channels), h = Int(info.height), w = Int(info.width)
        let interleaved = Array(UnsafeBufferPointer(start: pixels, count: c * h * w))
        return PNGCodec.fromInterleaved(interleaved, channels: c, height: h, width: w)
    }

    /// Reads and decodes the JPEG file at `path`.
    public static func read(_ path: String) throws(DataError) -> UInt8Image {
        try decode(try FileBytes.readPlain(path), name: path)
    }

    /// The JPEG bytes of an 8-bit grayscale or RGB image at `quality` (1–100; 4:2:0 chroma).
    public static func encode(_ image: UInt8Image, quality: Int = 90, name: String = "<memory>") throws(DataError) -> [UInt8] {
        precondition(image.channels == 1 || image.channels == 3,
                     "JPEG images have 1 or 3 channels here, got \(image.channels)")
        precondition((1...100).contains(quality), "JPEG quality must lie in 1…100, got \(quality)")
        let interleaved = PNGCodec.toInterleaved(image)
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var text = [CChar](repeating: 0, count: 200)
        let status = interleaved.withUnsafeBufferPointer { px in
            text.withUnsafeMutableBufferPointer { m in
                cjpeg_encode(px.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                             Int32(quality), &out, &size, m.baseAddress)
            }
        }
        guard status == 0, let out else {
            let m = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .jpegEncodingFailed(path: name, message: m.isEmpty ? "libjpeg error" : m)
        }
        defer { cjpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// Writes an 8-bit image as a JPEG file at `path` (atomically).
    public static func write(_ image: UInt8Image, to path: String, quality: Int = 90) throws(DataError) {
        try FileBytes.write(try encode(image, quality: quality, name: path), to: path)
    }

    /// The shim's message, or `fallback`.
    private static func message(of info: inout cjpeg_info, fallback: String) -> String {
        let text = withUnsafeBytes(of: &info.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }
}

/// Decoding of image files by content: PNG or JPEG, whatever the file name says.
public enum ImageFileCodec {
    /// Decodes PNG or JPEG bytes (recognised by their signature).
    ///
    /// - Throws: ``DataError/unsupportedImageFormat(path:)`` for other bytes, or the codec's error.
    public static func decode(_ bytes: [UInt8], name: String) throws(DataError) -> UInt8Image {
        if JPEGCodec.hasSignature(bytes) { return try JPEGCodec.decode(bytes, name: name) }
        if bytes.count >= 8 && Array(bytes[0..<8]) == PNGCodec.signature { return try PNGCodec.decode(bytes, name: name) }
        throw .unsupportedImageFormat(path: name)
    }

    /// Reads and decodes the image file at `path`.
    public static func read(_ path: String) throws(DataError) -> UInt8Image {
        try decode(try FileBytes.readPlain(path), name: path)
    }
}
