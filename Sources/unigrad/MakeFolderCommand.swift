import ArgumentParser
import Data
import Foundation

/// `unigrad make-folder`: writes an ImageNet-style folder of synthetic colour shapes (JPEG/PNG),
/// to try the `paper` preset (and `--set dataset=folder`) without downloading ImageNet.
struct MakeFolderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-folder",
        abstract: "Write ROOT/train/CLASS/*.JPEG and ROOT/val/CLASS/… of synthetic shapes (a small stand-in for ImageNet).",
        discussion: """
        Example:
          unigrad make-folder /tmp/shapes --size 256 --train 16 --val 4
          unigrad train --preset paper --set data_dir=/tmp/shapes --set batch=8 --set max_steps=3
        """)

    @Argument(help: "The root folder to write (created if needed).")
    var root: String
    @Option(help: "Shorter image side in pixels.")
    var size = 256
    @Option(help: "Training images per class (10 classes).")
    var train = 16
    @Option(help: "Validation images per class.")
    var val = 4
    @Option(help: "jpeg | png | mixed")
    var format = "jpeg"
    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func run() throws {
        guard let f = SyntheticImageFolder.Format(rawValue: format) else {
            throw ValidationError("--format must be jpeg, png or mixed, got '\(format)'")
        }
        guard size >= 8, train > 0, val > 0 else { throw ValidationError("--size must be ≥ 8 and --train, --val positive") }
        do {
            let n = try SyntheticImageFolder(size: size, trainPerClass: train, valPerClass: val, format: f, seed: seed).write(to: root)
            print("wrote \(n) images to \(root)/train and \(root)/val (10 classes)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
