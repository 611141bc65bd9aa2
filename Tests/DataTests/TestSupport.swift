import Foundation
@testable import Data

/// A fresh temporary directory for one test, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "unigrad-data-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` and returns the `DataError` it throws, or `nil`.
func dataError<T>(_ body: () throws(DataError) -> T) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A deterministic test image with samples in [0, 1].
func rampImage(channels: Int, height: Int, width: Int) -> Image {
    var px = [Float]()
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width {
                px.append(Float((c * 7 + y * 3 + x * 5) % 17) / 16)
            }
        }
    }
    return Image(channels: channels, height: height, width: width, pixels: px)
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
