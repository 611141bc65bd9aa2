import Foundation
import Testing
import TensorCore
@testable import Checkpoints

private struct Boom: Error, CustomStringConvertible { var description: String { "disk on fire" } }

@Suite struct AtomicFileTests {
    private func checkpoint(_ value: Float, count: Int = 1000) -> SafeTensors {
        SafeTensors(tensors: ["w": SafeTensor(Tensor<Float>(repeating: value, shape: [count]))],
                    metadata: ["config": #"{"step": \#(Int(value))}"#])
    }

    @Test func overwriteReplacesTheFileAndLeavesNoTemporary() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let path = scratch.file("ckpt.safetensors")
        try checkpoint(1).write(to: path)
        try checkpoint(2).write(to: path, chunkSize: 100)
        #expect(try SafeTensors.read(from: path) == checkpoint(2))
        #expect(scratch.contents == ["ckpt.safetensors"])
    }

    @Test func aWriteThatFailsMidwayLeavesTheOldFileIntact() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let path = scratch.file("ckpt.safetensors")
        try checkpoint(1).write(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var calls = 0
        do {
            try checkpoint(2).write(to: path, chunkSize: 512) { written, total in
                calls += 1
                #expect(written == 512 * calls && total > 1024)
                if calls == 2 { throw Boom() }
            }
            Issue.record("the write should have failed")
        } catch {
            #expect(error == .writeFailed(path: path, reason: "aborted after 1024 of \(checkpoint(2).encoded().count) bytes: disk on fire"))
        }
        #expect(calls == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try SafeTensors.read(from: path) == checkpoint(1))
        #expect(scratch.contents == ["ckpt.safetensors"])
    }

    @Test func aMissingDirectoryFailsCleanly() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let path = scratch.file("no/such/dir/ckpt.safetensors")
        do {
            try checkpoint(1).write(to: path)
            Issue.record("the write should have failed")
        } catch {
            guard case let .writeFailed(failedPath, reason) = error else {
                Issue.record("expected writeFailed, got \(error)")
                return
            }
            #expect(failedPath == path && reason.contains("temporary file") && !reason.contains("\n"))
        }
        #expect(scratch.contents.isEmpty)
    }

    @Test func aFailedRenameKeepsTheTargetAndRemovesTheTemporary() throws {
        // Renaming a file over a non-empty directory fails (EISDIR/ENOTEMPTY): the directory survives.
        let scratch = try ScratchDirectory()
        defer { scratch.cleanup() }
        let target = scratch.file("ckpt.safetensors")
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        #expect(throws: CheckpointError.self) { try checkpoint(1).write(to: target) }
        #expect(scratch.contents == ["ckpt.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["inside"])
    }
}
