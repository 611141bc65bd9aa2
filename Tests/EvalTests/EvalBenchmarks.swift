import Foundation
import Testing
import TensorCore
import Eval

/// Opt-in timings (never assertions on time): `UNIGRAD_EVAL_BENCH=1 swift test -c release
/// -Xswiftc -enable-testing --filter EvalBenchmarks`. With `UNIGRAD_FMNIST_RAW=DIR` pointing at the
/// *uncompressed* Fashion-MNIST IDX files, also runs kNN and the linear probe on raw pixels and on a
/// fixed random 256-d ReLU projection of them.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_EVAL_BENCH"] != nil), .serialized)
struct EvalBenchmarks {
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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
        print("BENCH kNN 10k×60k×256 Float, k=200: \(String(format: "%.2f", t)) s — \(result!)")
    }

    private func loadIDX(_ dir: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_FMNIST_RAW"] != nil))
    func fashionMNISTRawPixelsAndRandomFeatures() throws {
        let dir = ProcessInfo.processInfo.environment["UNIGRAD_FMNIST_RAW"]!
        func images(_ name: String) throws -> Tensor<Float> {
            let bytes = try loadIDX(dir, name)
            let n = (bytes.count - 16) / 784
            return Tensor(shape: [n, 784], scalars: bytes[16...].map { Float($0) / 255 })
        }
        func labels(_ name: String) throws -> [Int] { try loadIDX(dir, name)[8...].map { Int($0) } }
        let xTrain = try images("train-images-idx3-ubyte"), xTest = try images("t10k-images-idx3-ubyte")
        let yTrain = try labels("train-labels-idx1-ubyte"), yTest = try labels("t10k-labels-idx1-ubyte")

        var knn: KNNResult?
        var t = try seconds {
            knn = try KNNMonitor().evaluate(queries: xTest, queryLabels: yTest, bank: xTrain, bankLabels: yTrain, classCount: 10)
        }
        print("BENCH kNN raw pixels (784-d): \(String(format: "%.2f", t)) s — \(knn!)")

        // Normalised as torchvision's Normalize((0.2860,), (0.3530,)) would: the cosine changes.
        let centred = { (x: Tensor<Float>) in (x - 0.2860) / 0.3530 }
        t = try seconds {
            knn = try KNNMonitor().evaluate(queries: centred(xTest), queryLabels: yTest, bank: centred(xTrain),
                                            bankLabels: yTrain, classCount: 10)
        }
        print("BENCH kNN normalised pixels (784-d): \(String(format: "%.2f", t)) s — \(knn!)")

        var rng = RandomGenerator(seed: 7)
        let projection = Tensor<Float>.randomNormal([784, 256], std: 1 / 28, using: &rng)
        let relu = { (x: Tensor<Float>) in x.matmul(projection).map { Swift.max($0, 0) } }
        let fTrain = relu(centred(xTrain)), fTest = relu(centred(xTest))

        t = try seconds {
            knn = try KNNMonitor().evaluate(queries: fTest, queryLabels: yTest, bank: fTrain, bankLabels: yTrain, classCount: 10)
        }
        print("BENCH kNN random 256-d ReLU features: \(String(format: "%.2f", t)) s — \(knn!)")

        for (name, cfg) in [("default", LinearProbeConfiguration()),
                            ("lars", LinearProbeConfiguration(learningRate: 1.6, optimizer: .lars(trustCoefficient: 0.02)))] {
            var probe: LinearProbeResult<Float>?
            t = try seconds {
                probe = try LinearProbe.train(trainFeatures: fTrain, trainLabels: yTrain, testFeatures: fTest,
                                              testLabels: yTest, classCount: 10, configuration: cfg)
            }
            print("BENCH linear probe (\(name)) random 256-d ReLU features, 60k: \(String(format: "%.2f", t)) s — \(probe!)")
        }
        var probe: LinearProbeResult<Float>?
        t = try seconds {
            probe = try LinearProbe.train(trainFeatures: xTrain, trainLabels: yTrain, testFeatures: xTest,
                                          testLabels: yTest, classCount: 10)
        }
        print("BENCH linear probe raw pixels (784-d), 60k: \(String(format: "%.2f", t)) s — \(probe!)")
        let report = try CollapseReport(features: fTest)
        print("BENCH collapse report of the random features:\n\(report)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["UNIGRAD_EVAL_PHASES"] != nil))
    func knnPhases() throws {
        var rng = RandomGenerator(seed: 1)
        let bank = Tensor<Float>.randomNormal([60_000, 256], using: &rng)
        let queries = Tensor<Float>.randomNormal([2_000, 256], using: &rng)
        let bankLabels = (0..<60_000).map { _ in rng.nextInt(below: 10) }
        for chunk in [139, 1000] {
            let t = seconds {
                var s = 0
                while s < 2000 {
                    let q = queries.slicingRows(s..<min(2000, s + chunk))
                    _ = q.matmul(bank, transposeOther: true)
                    s += chunk
                }
            }
            print("PHASE gemm only, chunk \(chunk): \(String(format: "%.2f", t)) s")
        }
        for threads in [1, 2] {
            let t = try seconds {
                _ = try KNNMonitor(threads: threads).predict(queries: queries, bank: bank, bankLabels: bankLabels, classCount: 10)
            }
            print("PHASE full, threads \(threads): \(String(format: "%.2f", t)) s")
        }
    }
}
