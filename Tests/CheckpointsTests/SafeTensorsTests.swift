import Foundation
import Testing
import TensorCore
@testable import Checkpoints

/// A fresh empty directory under the system temporary directory, removed by `cleanup`.
struct ScratchDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("unigrad-ckpt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Raw file bytes with a hand-written header (padded with spaces to a multiple of 8) and buffer.
func rawFile(header: String, data: [UInt8], lengthOverride: UInt64? = nil) -> [UInt8] {
    var h = Array(header.utf8)
    while h.count % 8 != 0 { h.append(0x20) }
    let n = lengthOverride ?? UInt64(h.count)
    return (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xff) } + h + data
}

@Suite struct SafeTensorsRoundTripTests {
    @Test func floatAndDoubleRoundTripBitExactly() throws {
        let floatBits: [UInt32] = [0x7fc0_1234, 0x7f80_0001, 0xffc0_0000, 0x8000_0000, 0x0000_0001, 0x007f_ffff,
                                   0x7f80_0000, 0xff80_0000, 0x3f80_0000, 0xc2f6_e979]
        let doubleBits: [UInt64] = [0x7ff8_0000_dead_beef, 0x7ff0_0000_0000_0001, 0x8000_0000_0000_0000,
                                    0x0000_0000_0000_0001, 0x000f_ffff_ffff_ffff, 0x7ff0_0000_0000_0000,
                                    0x3ff0_0000_0000_0000, 0xc00921fb54442d18]
        let f = Tensor<Float>(shape: [2, 5], scalars: floatBits.map { Float(bitPattern: $0) })
        let d = Tensor<Double>(shape: [2, 2, 2], scalars: doubleBits.map { Double(bitPattern: $0) })
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let path = scratch.file("bits.safetensors")
        try SafeTensors(tensors: ["f": SafeTensor(f), "d": SafeTensor(d)]).write(to: path)
        let back = try SafeTensors.read(from: path)
        let f2: Tensor<Float> = try back.tensor("f", shape: [2, 5])
        let d2 = try back.tensor("d", as: Double.self, shape: [2, 2, 2])
        #expect(f2.scalars.map(\.bitPattern) == floatBits)
        #expect(d2.scalars.map(\.bitPattern) == doubleBits)
        #expect(back.tensors["f"]?.dtype == .f32 && back.tensors["d"]?.dtype == .f64)
    }

    @Test func integersBytesScalarsAndEmptyTensorsRoundTrip() throws {
        var file = SafeTensors()
        file.tensors["step"] = SafeTensor(int64: [0, -1, .min, .max])
        file.tensors["rng"] = SafeTensor(uint64: [0x0123_4567_89ab_cdef, .max], shape: [1, 2])
        file.tensors["mask"] = SafeTensor(uint8: [0, 1, 255])
        file.tensors["scalar"] = SafeTensor(Tensor<Double>(shape: [], scalars: [2.5]))
        file.tensors["empty"] = SafeTensor(Tensor<Float>.zeros([0, 3]))
        let back = try SafeTensors(decoding: file.encoded())
        #expect(back == file)
        #expect(try back.int64s("step") == [0, -1, .min, .max])
        #expect(try back.uint64s("rng", shape: [1, 2]) == [0x0123_4567_89ab_cdef, .max])
        #expect(try back.uint8s("mask") == [0, 1, 255])
        #expect(try back.tensor("scalar", as: Double.self).scalars == [2.5])
        #expect(try back.tensor("empty", as: Float.self, shape: [0, 3]).count == 0)
    }

    @Test func metadataRoundTrips() throws {
        let config = #"{"method": "unigrad", "lambda": 100, "note": "quote \" backslash \\ tab \t"}"#
        let metadata = ["config": config, "format": "pt", "ünïcode ∂L/∂u": "λ = 100 ✓",
                        "control": "bell \u{07} nul-free \u{1f} newline \n end", "": "empty key"]
        let file = SafeTensors(tensors: ["w": SafeTensor(Tensor<Float>.ones([2]))], metadata: metadata)
        let back = try SafeTensors(decoding: file.encoded())
        #expect(back.metadata == metadata)
        // And the config string is itself still valid JSON.
        let parsed = try JSONSerialization.jsonObject(with: Data(back.metadata["config"]!.utf8)) as? [String: Any]
        #expect(parsed?["method"] as? String == "unigrad")
    }

    @Test func headerBytesFollowTheSpec() throws {
        var file = SafeTensors(metadata: ["k": "v"])
        file.tensors["b"] = SafeTensor(uint8: [7])
        file.tensors["a"] = SafeTensor(Tensor<Float>(shape: [2], scalars: [1, -2]))
        file.tensors["c"] = SafeTensor(Tensor<Double>(shape: [1], scalars: [0.5]))
        let bytes = file.encoded()
        // Largest elements first (F64, F32, U8), so every tensor is aligned to its element size.
        let json = #"{"__metadata__":{"k":"v"},"c":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"#
            + #""a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"#
            + #""b":{"dtype":"U8","shape":[1],"data_offsets":[16,17]}}"#
        let padded = json.utf8.count + (8 - json.utf8.count % 8) % 8
        #expect(Array(bytes[0..<8]) == [UInt8(padded), 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[8..<(8 + json.utf8.count)]) == Array(json.utf8))
        #expect(bytes[(8 + json.utf8.count)..<(8 + padded)].allSatisfy { $0 == 0x20 })
        #expect((8 + padded) % 8 == 0)
        let data = Array(bytes[(8 + padded)...])
        #expect(data == [0, 0, 0, 0, 0, 0, 0xe0, 0x3f,     // 0.5 as little-endian F64
                         0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0,  // 1, −2 as little-endian F32
                         7])
        // An independent JSON parser sees the same header.
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + padded)])) as? [String: Any]
        let a = header?["a"] as? [String: Any]
        #expect(a?["dtype"] as? String == "F32" && a?["data_offsets"] as? [Int] == [8, 16])
        #expect((header?["__metadata__"] as? [String: String]) == ["k": "v"])
    }

    @Test func readsFilesWrittenByAnotherWriter() throws {
        // Key order, whitespace and layout as another tool might write them (U8 first, no padding needed).
        let header = #"{ "x" : {"data_offsets": [0, 2], "shape": [2], "dtype": "U8"}, "y": {"dtype":"I32","shape":[1],"data_offsets":[2,6]} }"#
        let file = try SafeTensors(decoding: rawFile(header: header, data: [9, 8, 1, 0, 0, 0]))
        #expect(try file.uint8s("x") == [9, 8])
        #expect(file.tensors["y"] == SafeTensor(dtype: .i32, shape: [1], bytes: [1, 0, 0, 0]))
        #expect(file.metadata.isEmpty)
    }
}
