/// CIFAR-10, binary version (Krizhevsky, 2009): `data_batch_1.bin` … `data_batch_5.bin` (50 000
/// training images) and `test_batch.bin` (10 000), each a sequence of 3073-byte records: one
/// label byte, then 1024 red, 1024 green and 1024 blue bytes of a 32×32 image (row-major).
public enum CIFAR10 {
    /// Which part of the dataset.
    public enum Split: String, Sendable, CaseIterable {
        /// The five training batches.
        case train
        /// The test batch.
        case test

        /// The batch file names of the split.
        public var fileNames: [String] {
            self == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        }
    }

    /// The ten class names, in label order.
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]
    /// Bytes in one record: 1 label + 3·32·32 pixels.
    public static let recordSize = 1 + 3 * 32 * 32

    /// Reads one batch file (plain, or gzip-compressed).
    ///
    /// - Throws: ``DataError/fileNotFound(path:)``, ``DataError/badLength(path:length:recordSize:)``
    ///   when the length is not a positive multiple of 3073, ``DataError/labelOutOfRange(path:record:label:classCount:)``.
    public static func readBatch(_ path: String) throws(DataError) -> ImageDataset {
        let data = try FileBytes.readGzipOrPlain(path)
        return try parseBatch(data, path: path)
    }

    /// Parses the bytes of a batch file (see ``readBatch(_:)``); `path` only names the source.
    public static func parseBatch(_ data: [UInt8], path: String) throws(DataError) -> ImageDataset {
        guard !data.isEmpty, data.count % recordSize == 0 else {
            throw .badLength(path: path, length: data.count, recordSize: recordSize)
        }
        let n = data.count / recordSize
        var labels = [Int](repeating: 0, count: n)
        var pixels = [UInt8](repeating: 0, count: n * (recordSize - 1))
        try data.withUnsafeBufferPointer { (src) throws(DataError) in
            try pixels.withUnsafeMutableBufferPointer { (dst) throws(DataError) in
                for r in 0..<n {
                    let label = Int(src[r * recordSize])
                    guard label < classNames.count else {
                        throw .labelOutOfRange(path: path, record: r, label: label, classCount: classNames.count)
                    }
                    labels[r] = label
                    let s = r * recordSize + 1, d = r * (recordSize - 1)
                    for k in 0..<(recordSize - 1) { dst[d + k] = src[s + k] }
                }
            }
        }
        return ImageDataset(name: "cifar10/\(path.split(separator: "/").last ?? "")", channels: 3,
                            height: 32, width: 32, storage: .uint8(pixels), labels: labels,
                            classNames: classNames)
    }

    /// Loads a split from a directory holding the batch files (e.g. `cifar-10-batches-bin`).
    ///
    /// - Throws: ``DataError/fileNotFound(path:)`` naming the directory or the first missing file.
    public static func load(_ split: Split, directory: String) throws(DataError) -> ImageDataset {
        guard FileBytes.exists(directory) else { throw .fileNotFound(path: directory) }
        var parts = [ImageDataset]()
        for name in split.fileNames {
            parts.append(try readBatch("\(directory)/\(name)"))
        }
        return ImageDataset.concatenating(parts, name: "cifar10/\(split.rawValue)")
    }

    /// The bytes of a batch file holding `dataset` (3×32×32, 8-bit, labels below 10); used by tests.
    public static func encodeBatch(_ dataset: ImageDataset) -> [UInt8] {
        precondition(dataset.channels == 3 && dataset.height == 32 && dataset.width == 32,
                     "CIFAR-10 records are 3×32×32, got \(dataset.channels)×\(dataset.height)×\(dataset.width)")
        var out = [UInt8]()
        out.reserveCapacity(dataset.count * recordSize)
        for i in 0..<dataset.count {
            out.append(UInt8(dataset.labels[i]))
            out.append(contentsOf: dataset.image(at: i).uint8Image.pixels)
        }
        return out
    }
}
