import Foundation
import Testing
@testable import Data

@Suite struct IDXReaderTests {
    /// Three 2×3 images and their labels, written gzip-compressed through zlib.
    @Test func gzipRoundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let pixels: [UInt8] = (0..<18).map { UInt8($0 * 13 % 256) }
        let labels: [UInt8] = [2, 0, 9]
        try FileBytes.writeGzip(IDXReader.encode(magic: IDXReader.imagesMagic, dimensions: [3, 2, 3], payload: pixels),
                                to: dir.file("images.gz"))
        try FileBytes.writeGzip(IDXReader.encode(magic: IDXReader.labelsMagic, dimensions: [3], payload: labels),
                                to: dir.file("labels.gz"))
        // The compressed file really is gzip (magic 1f 8b), not a copy of the raw bytes.
        let raw = try FileBytes.readPlain(dir.file("images.gz"))
        #expect(Array(raw.prefix(2)) == [0x1F, 0x8B])

        let images = try IDXReader.readImages(dir.file("images.gz"))
        #expect(images.count == 3 && images.rows == 2 && images.columns == 3)
        #expect(images.bytes == pixels)
        #expect(try IDXReader.readLabels(dir.file("labels.gz")) == [2, 0, 9])

        let ds = try IDXReader.readDataset(images: dir.file("images.gz"), labels: dir.file("labels.gz"),
                                           classNames: FashionMNIST.classNames, name: "test")
        #expect(ds.count == 3 && ds.channels == 1 && ds.height == 2 && ds.width == 3)
        #expect(maxAbsDifference(ds.image(at: 1).pixels, pixels[6..<12].map { Float($0) / 255 }) < 1e-6)
        #expect(ds.labels == [2, 0, 9])
    }

    @Test func uncompressedFilesAreAccepted() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let payload: [UInt8] = [1, 2, 3, 4]
        try FileBytes.write(IDXReader.encode(magic: IDXReader.imagesMagic, dimensions: [1, 2, 2], payload: payload),
                            to: dir.file("plain-idx3"))
        #expect(try IDXReader.readImages(dir.file("plain-idx3")).bytes == payload)
    }

    @Test func truncatedFileIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var bytes = IDXReader.encode(magic: IDXReader.imagesMagic, dimensions: [4, 5, 5],
                                     payload: [UInt8](repeating: 7, count: 100))
        bytes.removeLast(30)
        let path = dir.file("short.gz")
        try FileBytes.writeGzip(bytes, to: path)
        let error = dataError { () throws(DataError) in try IDXReader.readImages(path) }
        #expect(error == .truncated(path: path, expectedBytes: 116, actualBytes: 86))
        #expect(error?.description == "\(path): truncated: expected 116 bytes, found 86")

        // A file cut inside the header.
        let tiny = dir.file("tiny")
        try FileBytes.write([0, 0, 8, 3, 0, 0], to: tiny)
        #expect(dataError { () throws(DataError) in try IDXReader.readImages(tiny) }
                == .truncated(path: tiny, expectedBytes: 16, actualBytes: 6))
    }

    @Test func cutGzipStreamIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let full = dir.file("full.gz")
        // Incompressible payload so that the cut lands inside the deflate data.
        var rng = UInt64(12345)
        let payload: [UInt8] = (0..<4000).map { _ in
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(rng >> 56)
        }
        try FileBytes.writeGzip(IDXReader.encode(magic: IDXReader.imagesMagic, dimensions: [10, 20, 20], payload: payload), to: full)
        let bytes = try FileBytes.readPlain(full)
        let cut = dir.file("cut.gz")
        try FileBytes.write(Array(bytes.prefix(bytes.count / 2)), to: cut)
        let error = dataError { () throws(DataError) in try IDXReader.readImages(cut) }
        guard case let .corruptCompressedData(path, reason)? = error else {
            Issue.record("expected corruptCompressedData, got \(String(describing: error))")
            return
        }
        #expect(path == cut)
        #expect(!reason.isEmpty)
    }

    @Test func wrongMagicIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("labels-as-images.gz")
        try FileBytes.writeGzip(IDXReader.encode(magic: IDXReader.labelsMagic, dimensions: [3], payload: [1, 2, 3]), to: path)
        let error = dataError { () throws(DataError) in try IDXReader.readImages(path) }
        #expect(error == .badMagic(path: path, expected: 0x803, found: 0x801))
        #expect(error?.description == "\(path): bad magic number 0x00000801, expected 0x00000803")
    }

    @Test func trailingBytesAndZeroDimensionAreErrors() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let long = dir.file("long")
        try FileBytes.write(IDXReader.encode(magic: IDXReader.labelsMagic, dimensions: [2], payload: [1, 2]) + [9], to: long)
        #expect(dataError { () throws(DataError) in try IDXReader.readLabels(long) }
                == .trailingBytes(path: long, expectedBytes: 10, actualBytes: 11))
        let zero = dir.file("zero")
        try FileBytes.write([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28], to: zero)
        #expect(dataError { () throws(DataError) in try IDXReader.readImages(zero) }
                == .badDimensions(path: zero, reason: "dimension 0 is 0"))
    }

    @Test func missingPathAndLabelRangeAndCountMismatch() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let missing = dir.file("nope.gz")
        let error = dataError { () throws(DataError) in try IDXReader.readImages(missing) }
        #expect(error == .fileNotFound(path: missing))
        #expect(error?.description == "\(missing): no such file or directory")

        let labels = dir.file("labels")
        try FileBytes.write(IDXReader.encode(magic: IDXReader.labelsMagic, dimensions: [3], payload: [1, 12, 3]), to: labels)
        #expect(dataError { () throws(DataError) in try IDXReader.readLabels(labels, classCount: 10) }
                == .labelOutOfRange(path: labels, record: 1, label: 12, classCount: 10))

        let images = dir.file("images")
        try FileBytes.write(IDXReader.encode(magic: IDXReader.imagesMagic, dimensions: [2, 1, 1], payload: [0, 255]), to: images)
        let good = dir.file("labels2")
        try FileBytes.write(IDXReader.encode(magic: IDXReader.labelsMagic, dimensions: [3], payload: [1, 2, 3]), to: good)
        #expect(dataError { () throws(DataError) in
            try IDXReader.readDataset(images: images, labels: good, classNames: FashionMNIST.classNames, name: "x")
        } == .countMismatch(imagesPath: images, imageCount: 2, labelsPath: good, labelCount: 3))
    }
}

@Suite struct FashionMNISTTests {
    @Test func missingDirectorySaysHowToInstall() {
        let error = dataError { () throws(DataError) in try FashionMNIST.load(.train, directory: "/nonexistent/fmnist") }
        #expect(error == .datasetNotInstalled(name: "Fashion-MNIST",
                                              path: "/nonexistent/fmnist/train-images-idx3-ubyte.gz",
                                              installCommand: "apt-get install dataset-fashion-mnist"))
        #expect(error?.description.contains("apt-get install dataset-fashion-mnist") == true)
    }

    @Test func realFilesLoadWhenInstalled() throws {
        guard FashionMNIST.isInstalled(.train), FashionMNIST.isInstalled(.test) else {
            print("skipping: Fashion-MNIST not installed (\(FashionMNIST.installCommand))")
            return
        }
        let train = try FashionMNIST.load(.train)
        let test = try FashionMNIST.load(.test)
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.channels == 1 && train.height == 28 && train.width == 28)
        #expect(train.classHistogram == Array(repeating: 6000, count: 10))
        #expect(test.classHistogram == Array(repeating: 1000, count: 10))
        #expect(train.classNames[0] == "T-shirt/top" && train.classNames[9] == "Ankle boot")
        // The published statistics of the training set: mean 0.2860, std 0.3530.
        let stats = train.channelStatistics()
        #expect(abs(stats.mean[0] - 0.2860) < 1e-3)
        #expect(abs(stats.std[0] - 0.3530) < 1e-3)
    }
}

@Suite struct CIFAR10Tests {
    @Test func writtenBatchReadsBack() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let source = SyntheticShapes.color32.dataset(count: 5, seed: 3)
        let bytes = CIFAR10.encodeBatch(source)
        #expect(bytes.count == 5 * 3073)
        #expect(bytes[0] == 0 && bytes[3073] == 1)
        let path = dir.file("data_batch_1.bin")
        try FileBytes.write(bytes, to: path)
        let ds = try CIFAR10.readBatch(path)
        #expect(ds.count == 5 && ds.channels == 3 && ds.height == 32 && ds.width == 32)
        #expect(ds.labels == source.labels)
        #expect(ds.storage == source.storage)
        #expect(ds.classNames[3] == "cat")
    }

    @Test func badLengthAndLabelAreErrors() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("test_batch.bin")
        try FileBytes.write([UInt8](repeating: 1, count: 3073 * 2 - 5), to: path)
        let error = dataError { () throws(DataError) in try CIFAR10.readBatch(path) }
        #expect(error == .badLength(path: path, length: 6141, recordSize: 3073))
        #expect(error?.description == "\(path): length 6141 is not a multiple of the record size 3073")

        var records = [UInt8](repeating: 0, count: 3073 * 2)
        records[3073] = 10
        try FileBytes.write(records, to: path)
        #expect(dataError { () throws(DataError) in try CIFAR10.readBatch(path) }
                == .labelOutOfRange(path: path, record: 1, label: 10, classCount: 10))
    }

    @Test func missingDirectoryAndFiles() throws {
        #expect(dataError { () throws(DataError) in try CIFAR10.load(.train, directory: "/nonexistent/cifar") }
                == .fileNotFound(path: "/nonexistent/cifar"))
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try FileBytes.write(CIFAR10.encodeBatch(SyntheticShapes.color32.dataset(count: 2, seed: 1)), to: dir.file("test_batch.bin"))
        #expect(try CIFAR10.load(.test, directory: dir.path).count == 2)
        #expect(dataError { () throws(DataError) in try CIFAR10.load(.train, directory: dir.path) }
                == .fileNotFound(path: dir.file("data_batch_1.bin")))
    }
}

@Suite struct FallbackTests {
    @Test func missingFashionMNISTFallsBackToSynthetic() throws {
        let (ds, note) = try FashionMNIST.loadOrSynthetic(.train, directory: "/nonexistent/fmnist", syntheticCount: 30, seed: 4)
        #expect(ds.count == 30 && ds.classNames == SyntheticShapes.classNames)
        #expect(note?.contains("apt-get install dataset-fashion-mnist") == true)
        let (test, _) = try FashionMNIST.loadOrSynthetic(.test, directory: "/nonexistent/fmnist", syntheticCount: 30, seed: 4)
        #expect(test.storage != ds.storage)
        // A corrupt installed file is an error, not a fallback.
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try FileBytes.write([1, 2, 3, 4, 5], to: dir.file("train-images-idx3-ubyte.gz"))
        try FileBytes.write([1, 2, 3, 4, 5], to: dir.file("train-labels-idx1-ubyte.gz"))
        let error = dataError { () throws(DataError) in try FashionMNIST.loadOrSynthetic(.train, directory: dir.path, syntheticCount: 3, seed: 0) }
        #expect(error == .badMagic(path: dir.file("train-images-idx3-ubyte.gz"), expected: 0x803, found: 0x0102_0304))
    }
}
