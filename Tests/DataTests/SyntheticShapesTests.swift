import Testing
import TensorCore
@testable import Data

@Suite struct SyntheticShapesTests {
    @Test func deterministicForASeed() {
        let a = SyntheticShapes().dataset(count: 40, seed: 7)
        let b = SyntheticShapes().dataset(count: 40, seed: 7)
        let c = SyntheticShapes().dataset(count: 40, seed: 8)
        #expect(a == b)
        #expect(a.storage != c.storage)
        #expect(a.classHistogram == Array(repeating: 4, count: 10))
        #expect(a.channels == 1 && a.height == 28 && a.width == 28)
        #expect(a.classNames.count == 10)
        // Image i does not depend on how many images are made.
        #expect(SyntheticShapes().dataset(count: 5, seed: 7).image(at: 4) == a.image(at: 4))
        let color = SyntheticShapes.color32.dataset(count: 10, seed: 1)
        #expect(color.channels == 3 && color.height == 32)
    }

    @Test func classesAreDistinctButPositionVaries() {
        let shapes = SyntheticShapes()
        let train = shapes.dataset(count: 1000, seed: 1)
        let test = shapes.dataset(count: 300, seed: 2)
        // 1-nearest-neighbour on raw pixels: far above the 10% of chance, yet not perfect.
        var correct = 0
        let trainImages = (0..<train.count).map { train.image(at: $0).pixels }
        for i in 0..<test.count {
            let x = test.image(at: i).pixels
            var best = Float.infinity, label = -1
            for (j, t) in trainImages.enumerated() {
                var d: Float = 0
                for k in 0..<x.count { let e = x[k] - t[k]; d += e * e }
                if d < best { best = d; label = train.labels[j] }
            }
            if label == test.labels[i] { correct += 1 }
        }
        let accuracy = Double(correct) / Double(test.count)
        print("synthetic shapes: raw-pixel 1-NN accuracy \(accuracy)")
        #expect(accuracy > 0.4)

        // The intensity-weighted centre of each class moves by more than a pixel (measured on
        // clean images: no background, no noise).
        var clean = SyntheticShapes()
        clean.background = 0...0
        clean.noise = 0
        let centred = clean.dataset(count: 1000, seed: 1)
        for label in 0..<10 {
            var xs = [Double]()
            for i in stride(from: label, to: train.count, by: 10) {
                let im = centred.image(at: i)
                var m: Double = 0, sx: Double = 0
                for y in 0..<28 { for x in 0..<28 { let v = Double(im[0, y, x]); m += v; sx += v * Double(x) } }
                xs.append(sx / m)
            }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let std = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)).squareRoot()
            #expect(std > 1.5, "class \(label) centre std \(std)")
        }
    }

    @Test func filledAndOutlineShapesDifferInInk() {
        // Mean ink of a filled square exceeds that of a hollow one; a disc exceeds a ring.
        var clean = SyntheticShapes()
        clean.background = 0...0
        clean.noise = 0
        let ds = clean.dataset(count: 500, seed: 3)
        func meanInk(_ label: Int) -> Double {
            var s: Double = 0, n = 0
            for i in stride(from: label, to: ds.count, by: 10) {
                s += Double(ds.image(at: i).pixels.reduce(0, +)); n += 1
            }
            return s / Double(n)
        }
        #expect(meanInk(2) > meanInk(3) * 1.15)
        #expect(meanInk(0) > meanInk(1) * 1.3)
    }
}
