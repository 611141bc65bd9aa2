import Foundation
import Testing
import TensorCore
@testable import Checkpoints

private let f32x2 = #""dtype":"F32","shape":[2]"#

@Suite struct SafeTensorsCorruptionTests {
    private func decodeError(_ bytes: [UInt8]) -> CheckpointError? {
        do {
            _ = try SafeTensors(decoding: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingAndUnreadableFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        #expect(throws: CheckpointError.fileNotFound(path: scratch.file("nope.safetensors"))) {
            try SafeTensors.read(from: scratch.file("nope.safetensors"))
        }
        #expect(throws: CheckpointError.unreadable(path: scratch.path, reason: "is a directory")) {
            try SafeTensors.read(from: scratch.path)
        }
    }

    @Test func truncatedFiles() throws {
        #expect(decodeError([]) == .truncated(bytes: 0))
        #expect(decodeError([8, 0, 0, 0, 0]) == .truncated(bytes: 5))
        // A valid file cut short inside its data: the last tensor runs past the end of the buffer.
        let good = SafeTensors(tensors: ["w": SafeTensor(Tensor<Float>.ones([4]))]).encoded()
        let cut = Array(good.dropLast(3))
        #expect(decodeError(cut) == .offsetsOutOfRange(tensor: "w", begin: 0, end: 16, bufferSize: 13))
        // Cut inside the header: the header length exceeds what is left.
        #expect(decodeError(Array(good.prefix(20))) == .headerLengthExceedsFile(headerLength: UInt64(good.count - 16 - 8), available: 12))
        // And through the file system.
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let path = scratch.file("cut.safetensors")
        try Data(cut).write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.offsetsOutOfRange(tensor: "w", begin: 0, end: 16, bufferSize: 13)) {
            try SafeTensors.read(from: path)
        }
    }

    @Test func headerLengthLargerThanFile() {
        let bytes = rawFile(header: "{}", data: [], lengthOverride: 1 << 40)
        #expect(decodeError(bytes) == .headerLengthExceedsFile(headerLength: 1 << 40, available: 8))
        let huge = rawFile(header: "{}", data: [], lengthOverride: .max)
        #expect(decodeError(huge) == .headerLengthExceedsFile(headerLength: .max, available: 8))
    }

    @Test(arguments: [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not an object"),
        (#"{"w": {"shape":[2],"data_offsets":[0,8]}}"#, "missing dtype"),
        (#"{"w": {"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, "fractional shape"),
        (#"{"w": {"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, "negative shape"),
        (#"{"w": {"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, "one offset"),
        (#"{"w": {"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}"#, "string offsets"),
        (#"{"w": {"dtype":7,"shape":[2],"data_offsets":[0,8]}}"#, "numeric dtype"),
        (#"{"__metadata__": {"epoch": 3}}"#, "non-string metadata"),
    ])
    func invalidJSONHeaders(header: String, label: String) {
        let error = decodeError(rawFile(header: header, data: Array(repeating: 0, count: 8)))
        guard case let .invalidHeader(reason)? = error else {
            Issue.record("\(label): expected invalidHeader, got \(String(describing: error))")
            return
        }
        #expect(!reason.isEmpty && !reason.contains("\n"), "\(label): \(reason)")
    }

    @Test func missingDtypeIsNamedInTheMessage() {
        let error = decodeError(rawFile(header: #"{"w": {"shape":[2],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)))
        #expect(error?.description.contains("dtype") == true, "\(String(describing: error))")
        #expect(error?.description.contains("w") == true)
    }

    @Test func unknownDType() {
        let header = #"{"w": {"dtype":"F17","shape":[2],"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: header, data: Array(repeating: 0, count: 8))) == .unknownDType(tensor: "w", dtype: "F17"))
    }

    @Test func offsetsOutOfRange() {
        let past = #"{"w": {\#(f32x2),"data_offsets":[0,16]}}"#
        #expect(decodeError(rawFile(header: past, data: Array(repeating: 0, count: 8)))
                == .offsetsOutOfRange(tensor: "w", begin: 0, end: 16, bufferSize: 8))
        let reversed = #"{"w": {\#(f32x2),"data_offsets":[8,0]}}"#
        #expect(decodeError(rawFile(header: reversed, data: Array(repeating: 0, count: 8)))
                == .offsetsOutOfRange(tensor: "w", begin: 8, end: 0, bufferSize: 8))
        let negative = #"{"w": {\#(f32x2),"data_offsets":[-8,0]}}"#
        #expect(decodeError(rawFile(header: negative, data: Array(repeating: 0, count: 8)))
                == .offsetsOutOfRange(tensor: "w", begin: -8, end: 0, bufferSize: 8))
    }

    @Test func overlappingOffsets() {
        let header = #"{"a": {\#(f32x2),"data_offsets":[0,8]}, "b": {\#(f32x2),"data_offsets":[4,12]}}"#
        #expect(decodeError(rawFile(header: header, data: Array(repeating: 0, count: 12)))
                == .overlappingOffsets(first: "a", second: "b"))
        let same = #"{"a": {\#(f32x2),"data_offsets":[0,8]}, "b": {\#(f32x2),"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: same, data: Array(repeating: 0, count: 8)))
                == .overlappingOffsets(first: "a", second: "b"))
    }

    @Test func buffersNotCovered() {
        let gap = #"{"a": {\#(f32x2),"data_offsets":[0,8]}, "b": {\#(f32x2),"data_offsets":[12,20]}}"#
        #expect(decodeError(rawFile(header: gap, data: Array(repeating: 0, count: 20))) == .bufferNotCovered(begin: 8, end: 12))
        let tail = #"{"a": {\#(f32x2),"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: tail, data: Array(repeating: 0, count: 12))) == .bufferNotCovered(begin: 8, end: 12))
        let lead = #"{"a": {\#(f32x2),"data_offsets":[4,12]}}"#
        #expect(decodeError(rawFile(header: lead, data: Array(repeating: 0, count: 12))) == .bufferNotCovered(begin: 0, end: 4))
        #expect(decodeError(rawFile(header: "{}", data: [1])) == .bufferNotCovered(begin: 0, end: 1))
    }

    @Test func shapeTimesDTypeSizeMustMatchTheByteLength() {
        let header = #"{"w": {"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: header, data: Array(repeating: 0, count: 8)))
                == .sizeMismatch(tensor: "w", shape: [3], dtype: "F32", expectedBytes: 12, actualBytes: 8))
        let f64 = #"{"w": {"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: f64, data: Array(repeating: 0, count: 8)))
                == .sizeMismatch(tensor: "w", shape: [2], dtype: "F64", expectedBytes: 16, actualBytes: 8))
        let overflow = #"{"w": {"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        #expect(decodeError(rawFile(header: overflow, data: Array(repeating: 0, count: 8)))
                == .sizeMismatch(tensor: "w", shape: [4294967296, 4294967296], dtype: "F64", expectedBytes: .max, actualBytes: 8))
    }

    @Test func requestsForMissingOrMismatchedTensors() throws {
        let file = try SafeTensors(decoding: SafeTensors(tensors: ["w": SafeTensor(Tensor<Float>.zeros([2, 3])),
                                                                   "step": SafeTensor(int64: [5])]).encoded())
        #expect(throws: CheckpointError.missingTensor(name: "v")) { try file.tensor("v", as: Float.self) }
        #expect(throws: CheckpointError.shapeMismatch(tensor: "w", expected: [3, 2], actual: [2, 3])) {
            try file.tensor("w", as: Float.self, shape: [3, 2])
        }
        #expect(throws: CheckpointError.dtypeMismatch(tensor: "w", expected: "F64", actual: "F32")) {
            try file.tensor("w", as: Double.self)
        }
        #expect(throws: CheckpointError.dtypeMismatch(tensor: "step", expected: "U64", actual: "I64")) {
            try file.uint64s("step")
        }
        #expect(throws: CheckpointError.shapeMismatch(tensor: "step", expected: [2], actual: [1])) {
            try file.int64s("step", shape: [2])
        }
    }

    @Test func everyMessageIsOneLine() {
        let errors: [CheckpointError] = [
            .fileNotFound(path: "/x"), .unreadable(path: "/x", reason: "r"), .truncated(bytes: 3),
            .headerLengthExceedsFile(headerLength: 9, available: 1), .invalidHeader(reason: "r"),
            .unknownDType(tensor: "w", dtype: "Q"), .offsetsOutOfRange(tensor: "w", begin: 0, end: 9, bufferSize: 8),
            .overlappingOffsets(first: "a", second: "b"), .bufferNotCovered(begin: 0, end: 1),
            .sizeMismatch(tensor: "w", shape: [2], dtype: "F32", expectedBytes: 8, actualBytes: 4),
            .missingTensor(name: "w"), .shapeMismatch(tensor: "w", expected: [1], actual: [2]),
            .dtypeMismatch(tensor: "w", expected: "F32", actual: "F64"), .writeFailed(path: "/x", reason: "r"),
        ]
        for e in errors { #expect(!e.description.isEmpty && !e.description.contains("\n"), "\(e)") }
        #expect(CheckpointError.sizeMismatch(tensor: "w", shape: [3], dtype: "F32", expectedBytes: 12, actualBytes: 8).description
                == "tensor 'w': shape [3] of F32 needs 12 bytes, data_offsets span 8")
    }
}

@Suite struct SafeTensorsHeaderMessageTests {
    @Test func typeErrorsNameTheirJSONPath() {
        let header = #"{"w": {"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}"#
        do {
            _ = try SafeTensors(decoding: rawFile(header: header, data: Array(repeating: 0, count: 8)))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("corrupt checkpoint header: at w.data_offsets[0]: "), "\(error)")
        }
    }
}
