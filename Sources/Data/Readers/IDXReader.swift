/// Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database"),
/// plain or gzip-compressed.
///
/// Layout (big-endian): magic `0x0000TTDD` (type `TT = 0x08` for unsigned bytes, `DD` the number
/// of dimensions), then `DD` 32-bit sizes, then `Π sizes` bytes. Images are `0x00000803`
/// (N, rows, cols); labels are `0x00000801` (N).
public enum IDXReader {
    /// The magic number of an IDX file of unsigned-byte images `(N, rows, cols)`.
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// The magic number of an IDX file of unsigned-byte labels `(N)`.
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// The dimensions and payload of an unsigned-byte IDX file with magic `magic`.
    ///
    /// - Throws: ``DataError`` — missing file, corrupt gzip, wrong magic, a zero dimension, or a
    ///   length that does not match the header (truncated or trailing bytes).
    public static func read(_ path: String, magic: UInt32) throws(DataError) -> (dimensions: [Int], bytes: [UInt8]) {
        let data = try FileBytes.readGzipOrPlain(path)
        return try parse(data, path: path, magic: magic)
    }

    /// Parses IDX bytes already in memory (see ``read(_:magic:)``); `path` only names the source.
    public static func parse(_ data: [UInt8], path: String, magic: UInt32) throws(DataError) -> (dimensions: [Int], bytes: [UInt8]) {
        guard data.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: data.count) }
        let found = bigEndian(data, 0)
        guard found == magic else { throw .badMagic(path: path, expected: magic, found: found) }
        let rank = Int(magic & 0xFF)
        let header = 4 + 4 * rank
        guard data.count >= header else { throw .truncated(path: path, expectedBytes: header, actualBytes: data.count) }
        var dims = [Int]()
        var total = 1
        for k in 0..<rank {
            let d = Int(bigEndian(data, 4 + 4 * k))
            guard d > 0 else { throw .badDimensions(path: path, reason: "dimension \(k) is \(d)") }
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 40 else {
                throw .badDimensions(path: path, reason: "sizes \(dims + [d]) are too large")
            }
            total = product
            dims.append(d)
        }
        let expected = header + total
        if data.count < expected { throw .truncated(path: path, expectedBytes: expected, actualBytes: data.count) }
        if data.count > expected { throw .trailingBytes(path: path, expectedBytes: expected, actualBytes: data.count) }
        return (dims, Array(data[header...]))
    }

    /// The images of an IDX image file as `(N, rows, cols)` and their bytes.
    public static func readImages(_ path: String) throws(DataError) -> (count: Int, rows: Int, columns: Int, bytes: [UInt8]) {
        let (d, b) = try read(path, magic: imagesMagic)
        return (d[0], d[1], d[2], b)
    }

    /// The labels of an IDX label file, each checked to be below `classCount`.
    public static func readLabels(_ path: String, classCount: Int = 256) throws(DataError) -> [Int] {
        let (_, b) = try read(path, magic: labelsMagic)
        var labels = [Int]()
        labels.reserveCapacity(b.count)
        for (i, v) in b.enumerated() {
            guard Int(v) < classCount else {
                throw .labelOutOfRange(path: path, record: i, label: Int(v), classCount: classCount)
            }
            labels.append(Int(v))
        }
        return labels
    }

    /// A labelled dataset from an IDX image file and an IDX label file of equal length.
    public static func readDataset(images imagesPath: String, labels labelsPath: String,
                                   classNames: [String], name: String) throws(DataError) -> ImageDataset {
        let images = try readImages(imagesPath)
        let labels = try readLabels(labelsPath, classCount: classNames.count)
        guard images.count == labels.count else {
            throw .countMismatch(imagesPath: imagesPath, imageCount: images.count,
                                 labelsPath: labelsPath, labelCount: labels.count)
        }
        return ImageDataset(name: name, channels: 1, height: images.rows, width: images.columns,
                            storage: .uint8(images.bytes), labels: labels, classNames: classNames)
    }

    /// The bytes of an IDX file holding `dimensions` and `payload` (the inverse of ``parse``).
    public static func encode(magic: UInt32, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        precondition(Int(magic & 0xFF) == dimensions.count,
                     "magic \(magic) declares \(magic & 0xFF) dimensions, got \(dimensions)")
        precondition(dimensions.reduce(1, *) == payload.count,
                     "dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(payload.count)")
        var out = [UInt8]()
        out.reserveCapacity(4 + 4 * dimensions.count + payload.count)
        appendBigEndian(&out, magic)
        for d in dimensions { appendBigEndian(&out, UInt32(d)) }
        out.append(contentsOf: payload)
        return out
    }

    private static func bigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v >> 24)); out.append(UInt8((v >> 16) & 0xFF))
        out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8(v & 0xFF))
    }
}
