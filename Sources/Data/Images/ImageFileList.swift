import Foundation

/// The image files of a folder dataset, decoded on demand (an ImageNet-sized folder is never held
/// in memory; only the paths are).
///
/// Images come out as 3-channel (RGB) `Float` images at their stored size (grayscale files are
/// replicated to three channels). A file that fails to decode at training time (it passed the
/// header check of ``ImageFolder`` but its data is corrupt or truncated) is reported once to
/// ``log`` and replaced by the next file that decodes, `(i + 1) mod N`, … — a choice that depends
/// only on the files, so batches stay deterministic and training never stops on one bad file.
public final class ImageFileList: Sendable, Equatable {
    /// The files, one per image.
    public let paths: [String]
    /// Channels of every decoded image (3).
    public let channels: Int
    /// Where decode failures are reported.
    public let log: DataWarningLog

    /// A list of `paths` decoded to `channels` (1 or 3) channels.
    public init(paths: [String], channels: Int = 3, log: DataWarningLog) {
        precondition(channels == 1 || channels == 3, "image files decode to 1 or 3 channels, got \(channels)")
        self.paths = paths
        self.channels = channels
        self.log = log
    }

    /// The number of files.
    public var count: Int { paths.count }

    /// The files `indices` (sharing the log).
    public func subset(_ indices: [Int]) -> ImageFileList {
        ImageFileList(paths: indices.map { paths[$0] }, channels: channels, log: log)
    }

    /// File `i` decoded, or the error naming it.
    public func decode(at i: Int) -> Result<Image, DataError> {
        precondition(i >= 0 && i < paths.count, "image file index \(i) out of range 0..<\(paths.count)")
        do throws(DataError) {
            return .success(Self.converted(try ImageFileCodec.read(paths[i]), channels: channels).floatImage)
        } catch {
            return .failure(error)
        }
    }

    /// File `i` decoded; a file that fails is reported and replaced by the next one that decodes
    /// (a grey `fallbackSize²` image if none does).
    public func image(at i: Int, fallbackSize: Int) -> Image {
        for k in 0..<paths.count {
            let j = (i + k) % paths.count
            switch decode(at: j) {
            case let .success(image):
                return image
            case let .failure(error):
                log.warn("\(error.description); skipped (another image is used in its place)")
            }
        }
        return Image(channels: channels, height: fallbackSize, width: fallbackSize, repeating: 0.5)
    }

    /// `image` with `channels` channels: gray replicated to RGB, or RGB averaged (ITU-R 601-2
    /// luma `0.299 R + 0.587 G + 0.114 B`) to gray.
    static func converted(_ image: UInt8Image, channels: Int) -> UInt8Image {
        if image.channels == channels { return image }
        let n = image.height * image.width
        if channels == 3 {
            return UInt8Image(channels: 3, height: image.height, width: image.width,
                              pixels: image.pixels + image.pixels + image.pixels)
        }
        var out = [UInt8](repeating: 0, count: n)
        for k in 0..<n {
            let y = 0.299 * Double(image.pixels[k]) + 0.587 * Double(image.pixels[n + k]) + 0.114 * Double(image.pixels[2 * n + k])
            out[k] = UInt8(min(255, y.rounded()))
        }
        return UInt8Image(channels: 1, height: image.height, width: image.width, pixels: out)
    }

    public static func == (a: ImageFileList, b: ImageFileList) -> Bool {
        a === b || (a.paths == b.paths && a.channels == b.channels)
    }
}
