import Foundation
import TensorCore
import Data
import SSL

extension Commands {
    /// Loading data, drawing batches, looking at the two augmented views.
    static func dataCommands(_ interpreter: Interpreter) -> [Command] {
        [
            Command("data", family: "data", usage: "data [DATASET]",
                    summary: "load the dataset (synthetic, fashion-mnist, cifar10) and describe it",
                    details: "Without an argument, loads the dataset of the current settings.",
                    example: "data synthetic", arity: 0...1,
                    completion: [.choices(["synthetic", "fashion-mnist", "cifar10"])]) { s, args in
                if let name = args.first { try s.set("dataset", name) }
                let d = try s.ensureData()
                let hist = d.train.classHistogram
                s.print("\(d.train.name): \(d.train.count) train / \(d.test.count) test, \(d.train.classNames.count) classes, \(d.train.channels)×\(d.train.height)×\(d.train.width)")
                s.print("  classes: " + zip(d.train.classNames, hist).map { "\($0) (\($1))" }.joined(separator: ", "))
                s.print("  normalisation: mean \(d.normalization.mean.map { TextFormat.number(Double($0)) }) std \(d.normalization.std.map { TextFormat.number(Double($0)) })")
            },
            Command("batch", family: "data", usage: "batch [N]",
                    summary: "draw a batch of N samples, each as two augmented views (default: the batch setting)",
                    details: "Each draw gives new samples and augmentations; the draw count and the seed fix them.",
                    example: "batch 32", arity: 0...1) { s, args in
                let n = try args.isEmpty ? s.config.batchSize : args.int(0, "batch size", in: 2...65536)
                let d = try s.ensureData()
                guard n <= d.train.count else {
                    throw LabError("batch size \(n) is larger than the training set (\(d.train.count) images)")
                }
                let loader = BatchLoader(dataset: d.train, pipeline: RunFactory.pipeline(s.config, normalization: d.normalization),
                                         batchSize: n, seed: s.config.seed &+ 7919)
                let b = loader.batch(epoch: s.state.batchesDrawn, index: 0)
                s.state.batchesDrawn += 1
                s.state.batch = b
                s.state.analysis = nil
                s.state.traceCursor = 0
                s.state.traceActivation = nil
                var counts: [Int: Int] = [:]
                for l in b.labels { counts[l, default: 0] += 1 }
                s.print("batch #\(s.state.batchesDrawn): \(b.count) samples × 2 views of \(TextFormat.shape(Array(b.view1.shape.dropFirst())))")
                s.print("  labels: " + counts.keys.sorted().map { "\(d.train.classNames[$0]) \(counts[$0] ?? 0)" }.joined(separator: ", "))
            },
            Command("views", family: "data", usage: "views [SAMPLE…]",
                    summary: "show the two augmented views of samples of the batch as terminal images",
                    details: "Unicode half blocks in colour on a terminal, a character ramp otherwise.",
                    example: "views 0 1 2", arity: 0...8) { s, args in
                let b = try s.requireBatch()
                let d = try s.ensureData()
                var samples: [Int] = []
                for i in args.indices { samples.append(try args.int(i, "sample", in: 0...(b.count - 1))) }
                if samples.isEmpty { samples = Array(0..<min(3, b.count)) }
                let mode: TerminalColorMode = s.useColor ? .trueColor : .plain
                var images: [Image] = [], captions: [String] = []
                for i in samples {
                    let name = d.train.classNames[b.labels[i]]
                    images.append(d.normalization.denormalized(Image(batch: b.view1, index: i)))
                    images.append(d.normalization.denormalized(Image(batch: b.view2, index: i)))
                    captions.append("\(i) v1 \(name)")
                    captions.append("\(i) v2")
                }
                s.print(TerminalImage.renderSideBySide(images, captions: captions, mode: mode, scaling: .unit))
                for i in samples {
                    let v1 = Image(batch: b.view1, index: i), v2 = Image(batch: b.view2, index: i)
                    let diff = zip(v1.pixels, v2.pixels).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(v1.pixels.count)
                    s.print("sample \(i): label \(d.train.classNames[b.labels[i]]) (dataset index \(b.indices[i])), mean |view1 − view2| = \(TextFormat.number(diff)) (normalised units)")
                }
            },
            Command("png", family: "data", usage: "png FILE [N]",
                    summary: "save the first N view pairs of the batch as a PNG grid",
                    example: "png views.png 16", arity: 1...2, completion: [.path, .none]) { s, args in
                let b = try s.requireBatch()
                let d = try s.ensureData()
                let n = try args.count > 1 ? args.int(1, "N", in: 1...b.count) : min(16, b.count)
                do {
                    try ImageGrid.writeViewPairs(b, normalization: d.normalization, to: args[0], maxSamples: n)
                } catch {
                    throw LabError("cannot write '\(args[0])': \(error)")
                }
                s.print("wrote \(n) view pairs to \(args[0])")
            },
        ]
    }
}
