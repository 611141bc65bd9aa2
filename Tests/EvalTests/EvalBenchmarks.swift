import Foundation
import Testing
import TensorCore
import Eval

/// Opt-in timings (never assertions on time): `UNIGRAD_EVAL_BENCH=1 swift test -c release
/// -Xswiftc -enable-testing --filter EvalBenchmarks`. With `UNIGRAD_FMNIST_RAW=DIR` pointing at the
/// *uncompressed* Fashion-MNIST IDX files (`gunzip -k`), also runs kNN and the linear probe on
/// pixels and on a fixed random 256-d ReLU projection of them.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_EVAL_BENCH"] != nil), .serialized)
struct EvalBenchmarks {
    private static let fashionDirectory = ProcessInfo.processInfo.environment["UNIGRAD_FMNIST_RAW"]

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func report(_ label: String, _ t: Double, _ what: CustomStringConvertible) {
        print("BENCH \(label): \(String(format: "%.2f", t)) s — \(what)")
    }

    @Test func knnTenThousandBySixtyThousandBy256() throws {
        var rng = RandomGenerator(seed: 1)
        let bank = Tensor<Float>.randomNormal([60_000, 256], using: &rng)
        let queries = Tensor<Float>.randomNormal([10_000, 256], using: &rng)
        let bankLabels = (0..<60_000).map { _ in rng.nextInt(below: 10) }
        let queryLabels = (0..<10_000).map { _ in rng.nextInt(below: 10) }
        var result: KNNResult?
        let t = try seconds {
            result = try KNNMonitor().evaluate(queries: queries, queryLabels: queryLabels, bank: bank,
                                               bankLabels: bankLabels, classCount: 10)
        }
        report("kNN 10k×60k×256 Float, k=200 (GEMM 307 GFLOP)", t, result!)
        var gemmOnly = 0.0
        gemmOnly = seconds {
            var s = 0
            while s < 10_000 {
                _ = queries.slicingRows(s..<min(10_000, s + 1000)).matmul(bank, transposeOther: true)
                s += 1000
            }
        }
        report("of which the bare GEMM", gemmOnly, "\(String(format: "%.1f", 307.2 / gemmOnly)) GFLOPS")
    }

    /// Fashion-MNIST pixels normalised as torchvision's `Normalize((0.2860,), (0.3530,))`, and a
    /// fixed random ReLU projection of them to 256-d.
    private struct Fashion {
        var xTrain, xTest, fTrain, fTest: Tensor<Float>
        var yTrain, yTest: [Int]

        init(_ dir: String) throws {
            func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))) }
            func images(_ name: String) throws -> Tensor<Float> {
                let b = try bytes(name)
                return Tensor(shape: [(b.count - 16) / 784, 784], scalars: b[16...].map { (Float($0) / 255 - 0.2860) / 0.3530 })
            }
            xTrain = try images("train-images-idx3-ubyte")
            xTest = try images("t10k-images-idx3-ubyte")
            yTrain = try bytes("train-labels-idx1-ubyte")[8...].map { Int($0) }
            yTest = try bytes("t10k-labels-idx1-ubyte")[8...].map { Int($0) }
            var rng = RandomGenerator(seed: 7)
            let projection = Tensor<Float>.randomNormal([784, 256], std: 1 / 28, using: &rng)
            fTrain = xTrain.matmul(projection).map { Swift.max($0, 0) }
            fTest = xTest.matmul(projection).map { Swift.max($0, 0) }
        }
    }

    @Test(.enabled(if: fashionDirectory != nil))
    func fashionMNISTKNN() throws {
        let data = try Fashion(Self.fashionDirectory!)
        var knn: KNNResult?
        var t = try seconds {
            knn = try KNNMonitor().evaluate(queries: data.xTest, queryLabels: data.yTest, bank: data.xTrain,
                                            bankLabels: data.yTrain, classCount: 10)
        }
        report("kNN normalised pixels (784-d)", t, knn!)
        t = try seconds {
            knn = try KNNMonitor().evaluate(queries: data.fTest, queryLabels: data.yTest, bank: data.fTrain,
                                            bankLabels: data.yTrain, classCount: 10)
        }
        report("kNN random 256-d ReLU features", t, knn!)
        print("BENCH collapse report of the random features:\n\(try CollapseReport(features: data.fTest))")
    }

    @Test(.enabled(if: fashionDirectory != nil))
    func fashionMNISTLinearProbe() throws {
        let data = try Fashion(Self.fashionDirectory!)
        let configurations: [(String, LinearProbeConfiguration)] = [
            ("default", .init()),
            ("10 epochs", .init(epochs: 10)),
            ("lr 0.3", .init(learningRate: 0.3)),
            ("lars trust 0.02, lr 1.6", .init(learningRate: 1.6, optimizer: .lars(trustCoefficient: 0.02))),
        ]
        for (name, cfg) in configurations {
            var probe: LinearProbeResult<Float>?
            let t = try seconds {
                probe = try LinearProbe.train(trainFeatures: data.fTrain, trainLabels: data.yTrain, testFeatures: data.fTest,
                                              testLabels: data.yTest, classCount: 10, configuration: cfg)
            }
            report("linear probe (\(name)) random 256-d ReLU features, 60k", t, probe!)
        }
        var probe: LinearProbeResult<Float>?
        let t = try seconds {
            probe = try LinearProbe.train(trainFeatures: data.xTrain, trainLabels: data.yTrain, testFeatures: data.xTest,
                                          testLabels: data.yTest, classCount: 10)
        }
        report("linear probe (default) pixels (784-d), 60k", t, probe!)
    }
}
