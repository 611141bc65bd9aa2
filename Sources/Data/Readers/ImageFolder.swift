import Foundation

/// An ImageNet-style folder of images: `ROOT/train/CLASS/*.{JPEG,jpg,jpeg,png}` and
/// `ROOT/val/CLASS/…` (torchvision's `ImageFolder` layout, as the official UniGrad code reads it).
///
/// Classes are the sorted folder names of the training split, and the validation split uses the
/// same class → label mapping. Images are ordered round-robin over the classes (each class's
/// files sorted by name), so the first `N` images of the dataset are balanced. Only the paths are kept (``ImageFileList``); images are decoded on
/// demand. Loading checks each file's header (the first 64 KiB, the whole file if needed): a file
/// that is not a readable PNG/JPEG is skipped with a warning naming it; an empty class folder is
/// reported and keeps its label, so numbering does not shift.
public enum ImageFolder {
    /// File name extensions read (case-insensitive).
    public static let extensions: Set<String> = ["jpeg", "jpg", "png"]

    /// The class folder names of `ROOT/split`, sorted.
    ///
    /// - Throws: ``DataError/fileNotFound(path:)`` if the split folder is missing,
    ///   ``DataError/emptyImageFolder(path:reason:)`` if it has no class folders.
    public static func classNames(root: String, split: String = "train") throws(DataError) -> [String] {
        let dir = "\(root)/\(split)"
        guard isDirectory(dir) else { throw .fileNotFound(path: dir) }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { !$0.hasPrefix(".") && isDirectory("\(dir)/\($0)") }
            .sorted()
        guard !names.isEmpty else { throw .emptyImageFolder(path: dir, reason: "no class folders") }
        return names
    }

    /// Loads split `split` of `root` (classes from `classNames`, default: the split's own
    /// folders). Images are decoded to `channels` channels; `size` is the side images are
    /// evaluated at (``ImageDataset/evaluationImage(at:)``: resize `round(256·size/224)` +
    /// centre crop `size`).
    ///
    /// - Throws: ``DataError/fileNotFound(path:)`` for a missing folder,
    ///   ``DataError/emptyImageFolder(path:reason:)`` when no file is usable.
    public static func load(root: String, split: String, classNames: [String]? = nil, size: Int,
                            channels: Int = 3, log: DataWarningLog) throws(DataError) -> ImageDataset {
        let dir = "\(root)/\(split)"
        let classes: [String]
        if let classNames { classes = classNames } else { classes = try Self.classNames(root: root, split: split) }
        guard isDirectory(dir) else { throw .fileNotFound(path: dir) }
        var perClass: [[String]] = Array(repeating: [], count: classes.count)
        for (label, name) in classes.enumerated() {
            let classDir = "\(dir)/\(name)"
            guard isDirectory(classDir) else {
                log.warn("\(classDir): class folder missing in \(split); label \(label) has no images here")
                continue
            }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: classDir)) ?? [])
                .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted()
            var kept = 0
            for file in files {
                let path = "\(classDir)/\(file)"
                if let problem = checkHeader(path) {
                    log.warn("\(problem); skipped")
                    continue
                }
                perClass[label].append(path)
                kept += 1
            }
            if kept == 0 {
                log.warn("\(classDir): empty class folder (no readable .JPEG/.jpg/.jpeg/.png files); class '\(name)' keeps label \(label)")
            }
        }
        if let extra = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            for name in extra.sorted() where !name.hasPrefix(".") && !classes.contains(name) && isDirectory("\(dir)/\(name)") {
                log.warn("\(dir)/\(name): not a training class; ignored")
            }
        }
        // Round-robin over the classes, so that the first N images (`subset`, `eval_bank`) are balanced.
        var paths: [String] = [], labels: [Int] = []
        for k in 0..<(perClass.map(\.count).max() ?? 0) {
            for label in perClass.indices where k < perClass[label].count {
                paths.append(perClass[label][k])
                labels.append(label)
            }
        }
        guard !paths.isEmpty else { throw .emptyImageFolder(path: dir, reason: "no readable .JPEG/.jpg/.jpeg/.png files") }
        let list = ImageFileList(paths: paths, channels: channels, log: log)
        return ImageDataset(name: "folder/\(split)", files: list, size: size, labels: labels, classNames: classes)
    }

    /// Nil when the file starts like a readable PNG or JPEG, else the problem (naming the file).
    public static func checkHeader(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return DataError.unreadable(path: path, reason: "cannot open").description }
        defer { try? handle.close() }
        let prefix = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        if let problem = headerProblem(prefix, path: path) {
            // A header can lie beyond the first 64 KiB (large EXIF blocks): retry on the whole file.
            guard prefix.count == 1 << 16 else { return problem }
            let rest = [UInt8]((try? handle.readToEnd()) ?? Data())
            return headerProblem(prefix + rest, path: path)
        }
        return nil
    }

    private static func headerProblem(_ bytes: [UInt8], path: String) -> String? {
        do throws(DataError) {
            if JPEGCodec.hasSignature(bytes) {
                _ = try JPEGCodec.header(bytes, name: path)
            } else if bytes.count >= 8 && Array(bytes[0..<8]) == PNGCodec.signature {
                _ = try PNGCodec.header(bytes, name: path)
            } else {
                throw .unsupportedImageFormat(path: path)
            }
            return nil
        } catch {
            return error.description
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
