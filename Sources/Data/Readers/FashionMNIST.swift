/// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 60 000 training and 10 000 test grayscale
/// images of 28×28 in ten clothing classes, as installed by Debian's `dataset-fashion-mnist`
/// package (gzip IDX files under `/usr/share/datasets/fashion-mnist/`).
///
/// ```swift
/// do {
///     let train = try FashionMNIST.load(.train)
/// } catch .datasetNotInstalled {
///     // fall back to SyntheticShapes
/// }
/// ```
public enum FashionMNIST {
    /// Which part of the dataset.
    public enum Split: String, Sendable, CaseIterable {
        /// 60 000 training images.
        case train
        /// 10 000 test images.
        case test

        /// The file name prefix (`train` or `t10k`).
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Where Debian's package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The command that installs the files.
    public static let installCommand = "apt-get install dataset-fashion-mnist"

    /// The ten class names, in label order.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The image and label file paths of `split` in `directory`: the `.gz` file if present, else
    /// the uncompressed one, else `nil`.
    public static func files(_ split: Split, directory: String = defaultDirectory) -> (images: String, labels: String)? {
        func find(_ base: String) -> String? {
            let gz = "\(directory)/\(base).gz"
            if FileBytes.exists(gz) { return gz }
            let plain = "\(directory)/\(base)"
            return FileBytes.exists(plain) ? plain : nil
        }
        guard let images = find("\(split.filePrefix)-images-idx3-ubyte"),
              let labels = find("\(split.filePrefix)-labels-idx1-ubyte") else { return nil }
        return (images, labels)
    }

    /// True when both files of `split` are present.
    public static func isInstalled(_ split: Split = .train, directory: String = defaultDirectory) -> Bool {
        files(split, directory: directory) != nil
    }

    /// Loads `split` from `directory`.
    ///
    /// - Throws: ``DataError/datasetNotInstalled(name:path:installCommand:)`` when the files are
    ///   missing (callers fall back to synthetic data), or a reader error for a corrupt file.
    public static func load(_ split: Split, directory: String = defaultDirectory) throws(DataError) -> ImageDataset {
        guard let f = files(split, directory: directory) else {
            throw .datasetNotInstalled(name: "Fashion-MNIST",
                                       path: "\(directory)/\(split.filePrefix)-images-idx3-ubyte.gz",
                                       installCommand: installCommand)
        }
        let ds = try IDXReader.readDataset(images: f.images, labels: f.labels, classNames: classNames,
                                           name: "fashion-mnist/\(split.rawValue)")
        guard ds.height == 28, ds.width == 28 else {
            throw .badDimensions(path: f.images, reason: "Fashion-MNIST images are 28×28, found \(ds.height)×\(ds.width)")
        }
        return ds
    }
}

extension FashionMNIST {
    /// Fashion-MNIST `split` if installed, otherwise `syntheticCount` synthetic shape images
    /// (1×28×28, ten classes) with a one-line note saying why and how to install the real data.
    ///
    /// Only a missing dataset falls back; a corrupt file is still an error.
    public static func loadOrSynthetic(_ split: Split, directory: String = defaultDirectory,
                                       syntheticCount: Int, seed: UInt64) throws(DataError) -> (dataset: ImageDataset, note: String?) {
        do {
            return (try load(split, directory: directory), nil)
        } catch let error {
            guard case .datasetNotInstalled = error else { throw error }
            // Train and test synthetic sets differ through their seeds.
            let s = split == .train ? seed : SeedMixer.mix(seed, 0x7465_7374)
            let ds = SyntheticShapes().dataset(count: syntheticCount, seed: s, name: "synthetic-shapes/\(split.rawValue)")
            return (ds, "\(error.description); using \(syntheticCount) synthetic shape images instead")
        }
    }
}
