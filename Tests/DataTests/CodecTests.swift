import Foundation
import Testing
import TensorCore
@testable import Data

@Suite struct PNGTests {
    @Test func grayscaleFileRoundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let image = UInt8Image(channels: 1, height: 5, width: 7, pixels: (0..<35).map { UInt8($0 * 7) })
        let path = dir.file("gray.png")
        try PNGCodec.write(image, to: path)
        let bytes = try FileBytes.readPlain(path)
        #expect(Array(bytes.prefix(8)) == PNGCodec.signature)
        #expect(try PNGCodec.read(path) == image)
    }

    @Test func rgbAndFloatRoundTrip() throws {
        let image = SyntheticShapes.color32.dataset(count: 1, seed: 4).image(at: 0)
        let decoded = try PNGCodec.decode(PNGCodec.encode(image))
        #expect(decoded.channels == 3 && decoded.height == 32 && decoded.width == 32)
        #expect(maxAbsDifference(decoded.floatImage.pixels, image.pixels) <= 0.5 / 255 + 1e-6)
        // min/max scaling stretches [−1, 3] to [0, 255].
        let x = Image(channels: 1, height: 1, width: 3, pixels: [-1, 1, 3])
        #expect(try PNGCodec.decode(PNGCodec.encode(x, scaling: .minMax)).pixels == [0, 128, 255])
        #expect(try PNGCodec.decode(PNGCodec.encode(x, scaling: .range(low: 0, high: 2))).pixels == [0, 128, 255])
    }

    @Test func corruptFilesAreTypedErrors() throws {
        #expect(dataError { () throws(DataError) in try PNGCodec.decode([1, 2, 3, 4, 5, 6, 7, 8, 9], name: "x.png") }
                == .notPNG(path: "x.png"))
        let good = try PNGCodec.encode(UInt8Image(channels: 1, height: 8, width: 8, pixels: (0..<64).map { UInt8($0) }))
        // Cut off inside the image data.
        let cut = dataError { () throws(DataError) in try PNGCodec.decode(Array(good.prefix(good.count - 20)), name: "cut.png") }
        guard case let .corruptPNG(path, message)? = cut else {
            Issue.record("expected corruptPNG, got \(String(describing: cut))"); return
        }
        #expect(path == "cut.png" && !message.isEmpty)
        // Valid signature, garbage after it.
        let garbage = PNGCodec.signature + [UInt8](repeating: 0x41, count: 40)
        let e = dataError { () throws(DataError) in try PNGCodec.decode(garbage, name: "g.png") }
        if case .corruptPNG? = e {} else { Issue.record("expected corruptPNG, got \(String(describing: e))") }
        #expect(dataError { () throws(DataError) in try PNGCodec.read("/nonexistent/a.png") } == .fileNotFound(path: "/nonexistent/a.png"))
    }

    @Test func viewPairGridLayout() throws {
        let ds = SyntheticShapes().dataset(count: 6, seed: 5)
        let norm = ds.channelStatistics()
        let batch = TwoViewPipeline.small(normalization: norm).makeBatch(from: ds, indices: Array(0..<6), seed: 1, epoch: 0)
        let grid = ImageGrid.viewPairs(batch, normalization: norm, pairsPerRow: 4)
        // Pair cell: 1 + 28 + 1 + 28 + 1 = 59 wide, 30 high; 4 cells per row, 2 rows, 3 px gaps.
        #expect(grid.width == 3 + 4 * (59 + 3) && grid.height == 3 + 2 * (30 + 3))
        // The first view sits at (3 + 1, 3 + 1) and is the denormalised network input.
        let v1 = norm.denormalized(Image(batch: batch.view1, index: 0))
        #expect(abs(grid[0, 4, 4] - v1[0, 0, 0]) < 1e-5 && abs(grid[0, 4 + 27, 4 + 27] - v1[0, 27, 27]) < 1e-5)
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        try ImageGrid.writeViewPairs(batch, normalization: norm, to: dir.file("views.png"))
        let back = try PNGCodec.read(dir.file("views.png"))
        #expect(back.height == grid.height && back.width == grid.width)
    }
}

@Suite struct TerminalImageTests {
    @Test func halfBlocksAndRamp() {
        var image = Image(channels: 1, height: 3, width: 2)
        image[0, 0, 0] = 1
        image[0, 1, 1] = 1
        let lines = TerminalImage.lines(image, mode: .trueColor)
        #expect(lines.count == 2)
        #expect(lines[0] == "\u{1B}[38;2;255;255;255m\u{1B}[48;2;0;0;0m▀\u{1B}[38;2;0;0;0m\u{1B}[48;2;255;255;255m▀\u{1B}[0m")
        #expect(lines[1].hasSuffix("\u{1B}[0m") && lines[1].filter { $0 == "▀" }.count == 2)
        let plain = TerminalImage.lines(Image(channels: 1, height: 2, width: 3, pixels: [0, 0.5, 1, 0, 0.5, 1]), mode: .plain)
        #expect(plain == [" =@"])
        let c256 = TerminalImage.render(Image(channels: 3, height: 2, width: 1, pixels: [1, 0, 0, 0, 0, 1]), mode: .ansi256)
        #expect(c256 == "\u{1B}[38;5;196m\u{1B}[48;5;21m▀\u{1B}[0m")
    }

    @Test func sideBySideViews() {
        let a = Image(channels: 1, height: 4, width: 3, repeating: 1)
        let b = Image(channels: 1, height: 2, width: 2, repeating: 0)
        let s = TerminalImage.renderSideBySide([a, b], captions: ["view1", "v2"], mode: .plain, gap: 1)
        #expect(s == "vie v2\n@@@   \n@@@   ")
    }
}

/// Writes sample sheets for eyeballing: `UNIGRAD_DATA_DUMP=/some/dir swift test --filter dumpSampleSheets`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_DATA_DUMP"] != nil))
func dumpSampleSheets() throws {
    let dir = ProcessInfo.processInfo.environment["UNIGRAD_DATA_DUMP"] ?? "."
    for (name, shapes) in [("synthetic-gray", SyntheticShapes()), ("synthetic-color", SyntheticShapes.color32)] {
        let ds = shapes.dataset(count: 80, seed: 1)
        let rows = (0..<8).map { r in (0..<10).map { c in ds.image(at: r * 10 + c) } }
        try PNGCodec.write(ImageGrid.tile(rows), to: "\(dir)/\(name).png")
        let norm = ds.channelStatistics()
        let pipeline = shapes.channels == 1 ? TwoViewPipeline.small(normalization: norm)
                                            : TwoViewPipeline.mocoV2(normalization: norm, size: 32)
        let batch = pipeline.makeBatch(from: ds, indices: Array(0..<16), seed: 1, epoch: 0)
        try ImageGrid.writeViewPairs(batch, normalization: norm, to: "\(dir)/\(name)-views.png")
        print(TerminalImage.renderSideBySide([ds.image(at: 3), norm.denormalized(Image(batch: batch.view1, index: 3)),
                                              norm.denormalized(Image(batch: batch.view2, index: 3))],
                                             captions: ["image", "view 1", "view 2"], mode: .plain))
    }
    if FashionMNIST.isInstalled() {
        let ds = try FashionMNIST.load(.test)
        let norm = ds.channelStatistics()
        let batch = TwoViewPipeline.small(normalization: norm).makeBatch(from: ds, indices: Array(0..<16), seed: 1, epoch: 0)
        try ImageGrid.writeViewPairs(batch, normalization: norm, to: "\(dir)/fashion-mnist-views.png")
    }
}
