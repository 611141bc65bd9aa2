import Foundation
import TensorCore
import SSL

/// A trainer snapshot on disk in the safetensors layout: an 8-byte little-endian header length,
/// a JSON header (`{"name": {"dtype": "F32", "shape": […], "data_offsets": [a, b]}, …,
/// "__metadata__": {"config": …, "step": …, "method_step": …, "history": …}}`), then the raw
/// little-endian `Float32` data. Written atomically (temporary file, then rename).
///
/// Used by the shell's `save` and `load` until the `Checkpoints` target provides its store; the
/// layout is the one of https://github.com/huggingface/safetensors.
enum SnapshotFile {
    static func write(_ snapshot: TrainerSnapshot, config: TrainingConfig, to path: String) throws {
        var header: [String: Any] = [:]
        var blob = [UInt8]()
        for name in snapshot.tensors.keys.sorted() {
            guard let t = snapshot.tensors[name] else { continue }
            let start = blob.count
            for v in t.scalars { withUnsafeBytes(of: v.bitPattern.littleEndian) { blob.append(contentsOf: $0) } }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [start, blob.count]]
        }
        let history = (try? JSONEncoder().encode(snapshot.history)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        header["__metadata__"] = ["config": config.json(), "step": String(snapshot.step),
                                  "method_step": String(snapshot.methodStep), "history": history, "format": "unigrad-lab-snapshot"]
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        bytes.append(contentsOf: blob)
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) else {
            throw LabError("cannot write '\(path)'")
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw LabError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    static func read(from path: String) throws -> (TrainerSnapshot, TrainingConfig) {
        guard let data = FileManager.default.contents(atPath: path) else { throw LabError("cannot read '\(path)': no such file") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw LabError("'\(path)' is not a snapshot: \(bytes.count) bytes") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else { throw LabError("'\(path)' is truncated or not a snapshot (header of \(n) bytes)") }
        let headerEnd = 8 + Int(n)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) as? [String: Any],
              let meta = header["__metadata__"] as? [String: String], let configText = meta["config"] else {
            throw LabError("'\(path)' has no readable snapshot header")
        }
        let config: TrainingConfig
        do { config = try TrainingConfig.fromJSON(configText) } catch { throw LabError("'\(path)': \(error)") }
        var tensors: [String: Tensor<Float>] = [:]
        let body = headerEnd
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw LabError("'\(path)': tensor '\(name)' has an unreadable entry")
            }
            let count = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == 4 * count, offsets[0] >= 0, body + offsets[1] <= bytes.count else {
                throw LabError("'\(path)' is truncated: tensor '\(name)' lies outside the file")
            }
            var scalars = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let o = body + offsets[0] + 4 * i
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                scalars[i] = Float(bitPattern: bits)
            }
            tensors[name] = Tensor(shape: shape, scalars: scalars)
        }
        let history = meta["history"].flatMap { try? JSONDecoder().decode([StepRecord].self, from: Data($0.utf8)) } ?? []
        let snapshot = TrainerSnapshot(tensors: tensors, step: Int(meta["step"] ?? "") ?? 0,
                                       methodStep: Int(meta["method_step"] ?? "") ?? 0, history: history)
        return (snapshot, config)
    }
}
