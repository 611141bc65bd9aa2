import TensorCore

/// A labelled set of `N` images of equal size `C×H×W`, stored as 8-bit or `Float` samples, or
/// as image files decoded on demand.
///
/// 8-bit storage (Fashion-MNIST, CIFAR-10, the synthetic shapes) maps to `[0, 1]` by `x/255`
/// when an image is read. File storage (``ImageFolder``) keeps only the paths: ``image(at:)``
/// decodes a file at its own size (training crops it with `RandomResizedCrop`), and
/// ``evaluationImage(at:)`` gives the official evaluation view at `H×W` (resize
/// `round(256·H/224)` + centre crop). Images go to the network as a `Tensor<Float>` of shape `(N, C, H, W)`,
/// standardised per channel with a ``ChannelNormalization``.
public struct ImageDataset: Sendable, Equatable {
    /// The samples of all images, one after another in `(N, C, H, W)` order.
    public enum Storage: Sendable, Equatable {
        /// 8-bit samples; value `v` means `v/255`.
        case uint8([UInt8])
        /// Floating-point samples, nominally in `[0, 1]`.
        case float([Float])
        /// Image files decoded on demand, each at its own size (folder datasets).
        case files(ImageFileList)

        /// The number of samples.
        public var count: Int {
            switch self {
            case let .uint8(a): return a.count
            case let .float(a): return a.count
            case let .files(f): return f.count
            }
        }

        /// True for file-backed storage (images of varying size, decoded on demand).
        public var isFileBacked: Bool {
            if case .files = self { return true }
            return false
        }
    }

    /// A short name for printing (e.g. `fashion-mnist/train`).
    public var name: String
    /// Number of channels `C`.
    public let channels: Int
    /// Number of rows `H`.
    public let height: Int
    /// Number of columns `W`.
    public let width: Int
    /// The pixel samples.
    public let storage: Storage
    /// The class index of each image, in `0..<classNames.count`.
    public let labels: [Int]
    /// The name of each class.
    public let classNames: [String]

    /// A dataset from its samples (`N·C·H·W` of them), labels and class names.
    public init(name: String, channels: Int, height: Int, width: Int, storage: Storage,
                labels: [Int], classNames: [String]) {
        precondition(channels > 0 && height > 0 && width > 0,
                     "dataset image dimensions must be positive, got C=\(channels) H=\(height) W=\(width)")
        precondition(storage.count == labels.count * (storage.isFileBacked ? 1 : channels * height * width),
                     "dataset of \(labels.count) images of \(channels)×\(height)×\(width) needs \(labels.count * channels * height * width) samples, got \(storage.count)")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classNames.count },
                     "labels must lie in 0..<\(classNames.count)")
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.storage = storage
        self.labels = labels
        self.classNames = classNames
    }

    /// A dataset of image files (decoded to `files.channels` channels), evaluated at `size × size`.
    public init(name: String, files: ImageFileList, size: Int, labels: [Int], classNames: [String]) {
        precondition(files.count == labels.count, "\(files.count) files but \(labels.count) labels")
        self.init(name: name, channels: files.channels, height: size, width: size, storage: .files(files),
                  labels: labels, classNames: classNames)
    }

    /// True when the images are files decoded on demand (see ``Storage/files(_:)``).
    public var isFileBacked: Bool { storage.isFileBacked }

    /// The number of images `N`.
    public var count: Int { labels.count }
    /// `C·H·W`, the samples of one (evaluation) image.
    public var imageSize: Int { channels * height * width }

    /// Image `i` with samples in `[0, 1]` (file storage: the decoded file at its own size).
    public func image(at i: Int) -> Image {
        precondition(i >= 0 && i < count, "image index \(i) out of range 0..<\(count)")
        if case let .files(f) = storage { return f.image(at: i, fallbackSize: height) }
        let n = imageSize
        var px = [Float](repeating: 0, count: n)
        px.withUnsafeMutableBufferPointer { dst in
            switch storage {
            case let .uint8(a):
                a.withUnsafeBufferPointer { src in
                    for k in 0..<n { dst[k] = Float(src[i * n + k]) * (1 / 255) }
                }
            case let .float(a):
                a.withUnsafeBufferPointer { src in
                    for k in 0..<n { dst[k] = src[i * n + k] }
                }
            case .files:
                break
            }
        }
        return Image(channels: channels, height: height, width: width, pixels: px)
    }

    /// Image `i` as evaluation sees it, `C×H×W`: the stored image, or for files the official
    /// evaluation transform ``ResizeCenterCrop/official(size:)`` of the decoded file.
    public func evaluationImage(at i: Int) -> Image {
        guard storage.isFileBacked else { return image(at: i) }
        return ResizeCenterCrop.official(size: height).apply(to: image(at: i))
    }

    /// Number of images in each class.
    public var classHistogram: [Int] {
        var h = [Int](repeating: 0, count: classNames.count)
        for l in labels { h[l] += 1 }
        return h
    }

    /// Per-channel mean and (population) standard deviation over all images, in the `[0, 1]` scale:
    /// `mean_c = Σ x / (N·H·W)`, `std_c = √(Σ x²/(N·H·W) − mean_c²)`.
    ///
    /// File storage returns ImageNet's statistics (``ChannelNormalization/imageNet``) for 3
    /// channels, as the official pipeline does, rather than decoding the whole folder.
    public func channelStatistics() -> ChannelNormalization {
        if storage.isFileBacked {
            return channels == 3 ? .imageNet : ChannelNormalization(mean: [0.449], std: [0.226])
        }
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        let plane = height * width
        for i in 0..<count {
            for c in 0..<channels {
                var s: Double = 0, q: Double = 0
                let base = (i * channels + c) * plane
                switch storage {
                case let .uint8(a):
                    a.withUnsafeBufferPointer { p in
                        for k in 0..<plane { let v = Double(p[base + k]) / 255; s += v; q += v * v }
                    }
                case let .float(a):
                    a.withUnsafeBufferPointer { p in
                        for k in 0..<plane { let v = Double(p[base + k]); s += v; q += v * v }
                    }
                case .files:
                    break
                }
                sums[c] += s
                squares[c] += q
            }
        }
        let n = Double(max(1, count * plane))
        let mean = sums.map { $0 / n }
        let std = zip(squares, mean).map { q, m in max((q / n - m * m).squareRoot(), 1e-6) }
        return ChannelNormalization(mean: mean.map(Float.init), std: std.map(Float.init))
    }

    /// The images `indices`, normalised, as a `(N, C, H, W)` tensor (no augmentation: for
    /// evaluation and kNN banks; file storage uses ``evaluationImage(at:)`` and decodes on
    /// `workers` threads, default all cores).
    public func tensor(indices: [Int], normalization: ChannelNormalization, workers: Int = 0) -> Tensor<Float> {
        let n = imageSize
        var out = [Float](repeating: 0, count: indices.count * n)
        out.withUnsafeMutableBufferPointer { dst in
            if storage.isFileBacked {
                let base = UnsafeMutableSendablePointer(dst)
                ParallelRows.run(count: indices.count, workers: workers) { row in
                    normalization.normalize(evaluationImage(at: indices[row]), into: base.buffer, offset: row * n)
                }
            } else {
                for (row, i) in indices.enumerated() {
                    normalization.normalize(image(at: i), into: dst, offset: row * n)
                }
            }
        }
        return Tensor(shape: [indices.count, channels, height, width], scalars: out)
    }

    /// The sub-dataset made of `indices` (in that order).
    public func subset(_ indices: [Int], name: String? = nil) -> ImageDataset {
        let n = imageSize
        let newStorage: Storage
        switch storage {
        case let .uint8(a):
            var out = [UInt8](); out.reserveCapacity(indices.count * n)
            for i in indices {
                precondition(i >= 0 && i < count, "subset index \(i) out of range 0..<\(count)")
                out.append(contentsOf: a[(i * n)..<((i + 1) * n)])
            }
            newStorage = .uint8(out)
        case let .float(a):
            var out = [Float](); out.reserveCapacity(indices.count * n)
            for i in indices {
                precondition(i >= 0 && i < count, "subset index \(i) out of range 0..<\(count)")
                out.append(contentsOf: a[(i * n)..<((i + 1) * n)])
            }
            newStorage = .float(out)
        case let .files(f):
            for i in indices { precondition(i >= 0 && i < count, "subset index \(i) out of range 0..<\(count)") }
            newStorage = .files(f.subset(indices))
        }
        return ImageDataset(name: name ?? "\(self.name)[\(indices.count)]", channels: channels,
                            height: height, width: width, storage: newStorage,
                            labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// The first `n` images of each class (a balanced subset, in the original order).
    public func balancedSubset(perClass n: Int) -> ImageDataset {
        var taken = [Int](repeating: 0, count: classNames.count)
        var keep = [Int]()
        for (i, l) in labels.enumerated() where taken[l] < n {
            taken[l] += 1
            keep.append(i)
        }
        return subset(keep, name: "\(name)[\(n)/class]")
    }

    /// Datasets of equal image size and classes joined one after another.
    public static func concatenating(_ parts: [ImageDataset], name: String) -> ImageDataset {
        precondition(!parts.isEmpty, "concatenating needs at least one dataset")
        let f = parts[0]
        precondition(parts.allSatisfy { $0.channels == f.channels && $0.height == f.height && $0.width == f.width && $0.classNames == f.classNames },
                     "concatenating: datasets differ in image size or classes")
        precondition(!parts.contains { $0.storage.isFileBacked }, "concatenating: file-backed datasets are not supported")
        let storage: Storage
        if parts.allSatisfy({ if case .uint8 = $0.storage { return true } else { return false } }) {
            var out = [UInt8]()
            for p in parts { if case let .uint8(a) = p.storage { out.append(contentsOf: a) } }
            storage = .uint8(out)
        } else {
            var out = [Float]()
            for p in parts {
                switch p.storage {
                case let .uint8(a): out.append(contentsOf: a.map { Float($0) / 255 })
                case let .float(a): out.append(contentsOf: a)
                case .files: break
                }
            }
            storage = .float(out)
        }
        return ImageDataset(name: name, channels: f.channels, height: f.height, width: f.width,
                            storage: storage, labels: parts.flatMap(\.labels), classNames: f.classNames)
    }
}
