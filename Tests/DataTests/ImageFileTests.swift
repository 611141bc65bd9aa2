import Foundation
import Testing
@testable import Data
import TensorCore

/// JPEG and PNG decoding, the folder dataset, the evaluation transform and multi-worker loading,
/// on files the tests write.
@Suite struct ImageFileTests {
    /// A smooth 8-bit image (JPEG keeps smooth images within a few levels).
    func smoothImage(channels: Int, height: Int, width: Int) -> UInt8Image {
        var px = [UInt8]()
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    px.append(UInt8(40 + (c * 50 + y * 120 / height + x * 80 / width) % 200))
                }
            }
        }
        return UInt8Image(channels: channels, height: height, width: width, pixels: px)
    }

    func meanAbsDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.count)
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripThroughLibjpeg(channels: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let image = smoothImage(channels: channels, height: 37, width: 53)   // not multiples of 8 or 16
        let path = dir.file("a.jpg")
        try JPEGCodec.write(image, to: path, quality: 95)
        let bytes = try FileBytes.readPlain(path)
        #expect(JPEGCodec.hasSignature(bytes))
        let header = try JPEGCodec.header(bytes, name: path)
        #expect(header.channels == channels && header.height == 37 && header.width == 53)
        let decoded = try JPEGCodec.read(path)
        #expect(decoded.channels == channels && decoded.height == 37 && decoded.width == 53)
        let mean = meanAbsDifference(decoded.pixels, image.pixels)
        // Gray: only DCT quantisation; RGB also loses chroma detail to 4:2:0 subsampling at the
        // image's sharp wrap-around edges (measured: 4.2 levels).
        #expect(mean < (channels == 1 ? 2.5 : 6), "mean |Δ| \(mean) levels at quality 95")
        // A decode that misplaced channels or rows would be far off.
        #expect(meanAbsDifference(decoded.pixels, Array(image.pixels.reversed())) > 20)
        #expect(mean > 0)   // it really went through a lossy codec
        // Content-based decoding picks the codec whatever the extension.
        #expect(try ImageFileCodec.read(path) == decoded)
    }

    @Test func pngDecodesThroughTheSameEntryPoint() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let image = smoothImage(channels: 3, height: 9, width: 14)
        try PNGCodec.write(image, to: dir.file("b.png"))
        let bytes = try FileBytes.readPlain(dir.file("b.png"))
        let header = try PNGCodec.header(bytes, name: "b.png")
        #expect(header.channels == 3 && header.height == 9 && header.width == 14)
        #expect(try ImageFileCodec.read(dir.file("b.png")) == image)   // lossless
    }

    @Test func corruptAndTruncatedJPEGsAreErrorsNamingTheFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let good = try JPEGCodec.encode(smoothImage(channels: 3, height: 128, width: 128), quality: 90)
        // Truncated: the header is intact, the scan data is cut (libjpeg would fill with grey).
        let truncated = Array(good.prefix(good.count * 2 / 3))
        #expect(throws: Never.self) { try JPEGCodec.header(truncated, name: "t.jpg") }
        let e1 = dataError { () throws(DataError) in try JPEGCodec.decode(truncated, name: "t.jpg") }
        guard case let .corruptJPEG(path, message)? = e1 else { Issue.record("expected corruptJPEG, got \(String(describing: e1))"); return }
        #expect(path == "t.jpg" && !message.isEmpty)
        #expect(e1!.description.hasPrefix("t.jpg: corrupt JPEG") && !e1!.description.contains("\n"))
        // Garbage after the SOI marker.
        let garbage: [UInt8] = [0xFF, 0xD8, 0xFF] + Array(repeating: 0x17, count: 200)
        #expect(dataError { () throws(DataError) in try JPEGCodec.decode(garbage, name: "g.jpg") }.map { "\($0)" }?.hasPrefix("g.jpg: corrupt JPEG") == true)
        // Not a JPEG at all.
        #expect(dataError { () throws(DataError) in try JPEGCodec.decode([1, 2, 3, 4], name: "x.jpg") } == .notJPEG(path: "x.jpg"))
        #expect(dataError { () throws(DataError) in try ImageFileCodec.decode([1, 2, 3, 4], name: "x.jpg") } == .unsupportedImageFormat(path: "x.jpg"))
    }

    /// train/a: 2 JPEGs (one grayscale), train/b: a PNG, a corrupt file and a truncated JPEG,
    /// train/c: empty; val/a, val/b one image each, val/c missing.
    func writeFolder(_ dir: TemporaryDirectory) throws {
        for d in ["train/a", "train/b", "train/c", "val/a", "val/b"] { try FileBytes.makeDirectory(dir.file(d)) }
        try JPEGCodec.write(smoothImage(channels: 3, height: 40, width: 60), to: dir.file("train/a/1.JPEG"))
        try JPEGCodec.write(smoothImage(channels: 1, height: 50, width: 30), to: dir.file("train/a/2.jpg"))
        try PNGCodec.write(smoothImage(channels: 3, height: 20, width: 20), to: dir.file("train/b/1.png"))
        try FileBytes.write(Array("not an image".utf8), to: dir.file("train/b/2.jpeg"))
        let good = try JPEGCodec.encode(smoothImage(channels: 3, height: 128, width: 128))
        try FileBytes.write(Array(good.prefix(good.count * 3 / 4)), to: dir.file("train/b/3.jpg"))
        try FileBytes.write(Array("ignored".utf8), to: dir.file("train/b/notes.txt"))
        try JPEGCodec.write(smoothImage(channels: 3, height: 30, width: 30), to: dir.file("val/a/1.JPEG"))
        try PNGCodec.write(smoothImage(channels: 1, height: 30, width: 30), to: dir.file("val/b/1.png"))
    }

    @Test func folderDatasetSkipsCorruptFilesAndKeepsEmptyClassLabels() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try writeFolder(dir)
        let log = DataWarningLog.silent()
        let train = try ImageFolder.load(root: dir.path, split: "train", size: 16, log: log)
        #expect(train.classNames == ["a", "b", "c"])
        // Round-robin over classes: a/1, b/1, a/2, b/3 — b/2 was skipped at load time.
        #expect(train.count == 4 && train.labels == [0, 1, 0, 1])
        #expect(train.classHistogram == [2, 2, 0])
        #expect(train.channels == 3 && train.isFileBacked)
        let messages = log.messages
        #expect(messages.contains { $0.contains("train/b/2.jpeg") && $0.contains("skipped") })
        #expect(messages.contains { $0.contains("train/c") && $0.contains("empty class folder") && $0.contains("label 2") })
        #expect(!messages.contains { $0.contains("notes.txt") })
        // Decoded on demand at their own size; grayscale becomes RGB.
        let a1 = train.image(at: 0)
        #expect(a1.channels == 3 && a1.height == 40 && a1.width == 60)
        let a2 = train.image(at: 2)
        #expect(a2.channels == 3 && a2.height == 50 && a2.width == 30)
        #expect(a2.pixels[0..<1500] == a2.pixels[1500..<3000])
        // The truncated JPEG passes the header check; decoding it warns and substitutes the next
        // image (index 3 → 0), deterministically.
        let b3 = train.image(at: 3)
        #expect(b3 == train.image(at: 0))
        #expect(log.messages.contains { $0.contains("train/b/3.jpg") && $0.contains("corrupt JPEG") })
        // Evaluation view: 16×16 whatever the stored size.
        #expect(train.evaluationImage(at: 2).height == 16 && train.evaluationImage(at: 2).width == 16)
        let t = train.tensor(indices: [0, 1, 2], normalization: train.channelStatistics(), workers: 2)
        #expect(t.shape == [3, 3, 16, 16] && t.isFinite)
        #expect(t == train.tensor(indices: [0, 1, 2], normalization: train.channelStatistics(), workers: 1))
        // val uses train's labels; its missing class is reported.
        let val = try ImageFolder.load(root: dir.path, split: "val", classNames: train.classNames, size: 16, log: log)
        #expect(val.labels == [0, 1] && val.classNames == train.classNames)
        #expect(log.messages.contains { $0.contains("val/c") })
        // subset keeps files and labels.
        let sub = train.subset([2, 1])
        #expect(sub.labels == [0, 1] && sub.image(at: 0) == a2)
    }

    @Test func folderErrorsAreOneLine() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let log = DataWarningLog.silent()
        #expect(dataError { () throws(DataError) in try ImageFolder.load(root: dir.path, split: "train", size: 16, log: log) } == .fileNotFound(path: dir.path + "/train"))
        try FileBytes.makeDirectory(dir.file("train/x"))
        let e = dataError { () throws(DataError) in try ImageFolder.load(root: dir.path, split: "train", size: 16, log: log) }
        #expect(e?.description == "\(dir.path)/train: no usable images: no readable .JPEG/.jpg/.jpeg/.png files")
    }

    @Test func resizeCenterCropGeometry() {
        // A 1×40×80 ramp v = x: halving by bilinear (half-pixel centres) gives v = 2o + ½ exactly.
        var image = Image(channels: 1, height: 40, width: 80)
        for y in 0..<40 { for x in 0..<80 { image[0, y, x] = Float(x) } }
        let t = ResizeCenterCrop(size: 20, resize: 20)
        #expect(t.resizedSize(height: 40, width: 80) == (20, 40))
        #expect(t.resizedSize(height: 81, width: 40) == (40, 20))   // ⌊20·81/40⌋ = 40
        let out = t.apply(to: image)
        #expect(out.height == 20 && out.width == 20)
        for y in [0, 7, 19] {
            for j in 0..<20 { #expect(out[0, y, j] == Float(2 * (j + 10)) + 0.5) }   // columns 10..<30 of 40
        }
        // The official proportions: 256 for 224, 37 for 32; an image already at size is untouched.
        #expect(ResizeCenterCrop.official(size: 224).resize == 256)
        #expect(ResizeCenterCrop.official(size: 32).resize == 37)
        let square = rampImage(channels: 3, height: 37, width: 37)
        #expect(ResizeCenterCrop.official(size: 32).apply(to: square) == square.centerCropped(height: 32, width: 32))
    }

    @Test func batchesAreTheSameWithOneOrSeveralWorkers() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try SyntheticImageFolder(size: 24, trainPerClass: 3, valPerClass: 1, format: .mixed, seed: 7).write(to: dir.path)
        let log = DataWarningLog.silent()
        let folder = try ImageFolder.load(root: dir.path, split: "train", size: 16, log: log)
        #expect(folder.count == 30 && log.messages.isEmpty)
        let memory = SyntheticShapes.color32.dataset(count: 60, seed: 3)
        for dataset in [folder, memory] {
            let pipeline = TwoViewPipeline.mocoV2(normalization: dataset.channelStatistics(), size: 16)
            let loader = BatchLoader(dataset: dataset, pipeline: pipeline, batchSize: 4, seed: 11)
            for epoch in 0..<2 {
                let one = Array(loader.epoch(epoch, prefetch: 0))
                let several = Array(loader.epoch(epoch, prefetch: 2, workers: 3))
                let resumed = Array(loader.epoch(epoch, startingAt: 5, prefetch: 1, workers: 4))
                #expect(one.count == loader.batchesPerEpoch && several == one && resumed == Array(one[5...]))
                #expect(one[0].view1.shape == [4, dataset.channels, 16, 16])
            }
        }
    }
}
