import Foundation
import Methods
import TensorCore
import Testing

@Suite struct BatchInputTests {
    func parse(_ text: String) throws(BatchInputError) -> BatchInput { try BatchInput.parse(data: Data(text.utf8)) }

    @Test func readsAValidBatch() throws {
        let b = try parse(#"{"z1": [[1, 2], [3, 4.5]], "z2": [[-1, 0.5], [2, 2]], "F": [[0.5, 0.1], [0.1, 0.5]], "queue": [[1, 0], [0, 2], [1, 1]]}"#)
        #expect(b.z1 == Tensor(rows: [[1, 2], [3, 4.5]]) && b.batchSize == 2 && b.dimension == 2)
        #expect(b.queue?.shape == [3, 2] && b.W == nil && b.z1t == nil)
        let s = b.state(Double.self, queueCapacity: 7)
        #expect(abs(s.queue!.row(1)[1] - 1) < 1e-15 && s.queueCapacity == 7 && s.correlation == b.F)
    }

    @Test(arguments: [
        ("[1, 2]", BatchInputError.notAnObject),
        (#"{"z2": [[1]]}"#, .missing("z1")),
        (#"{"z1": [[1]]}"#, .missing("z2")),
        (#"{"z1": null, "z2": [[1]]}"#, .missing("z1")),
        (#"{"z1": [[1]], "z2": [[1]], "Z3": 1}"#, .unknownKey("Z3", valid: BatchInput.keys)),
        (#"{"z1": [], "z2": [[1]]}"#, .notAMatrix(key: "z1", reason: "it is empty")),
        (#"{"z1": [[]], "z2": [[1]]}"#, .notAMatrix(key: "z1", reason: "row 0 is empty")),
        (#"{"z1": 3, "z2": [[1]]}"#, .notAMatrix(key: "z1", reason: "found a number")),
        (#"{"z1": [1, 2], "z2": [[1]]}"#, .notAMatrix(key: "z1", reason: "row 0 is a number, not an array")),
        (#"{"z1": [[1, 2], [3]], "z2": [[1, 2], [3, 4]]}"#, .ragged(key: "z1", row: 1, expected: 2, got: 1)),
        (#"{"z1": [[1, "a"]], "z2": [[1, 2]]}"#, .notANumber(key: "z1", row: 0, column: 1, found: "a string")),
        (#"{"z1": [[1, null]], "z2": [[1, 2]]}"#, .notANumber(key: "z1", row: 0, column: 1, found: "null")),
        (#"{"z1": [[1, true]], "z2": [[1, 2]]}"#, .notANumber(key: "z1", row: 0, column: 1, found: "a boolean")),
        (#"{"z1": [[1, [2]]], "z2": [[1, 2]]}"#, .notANumber(key: "z1", row: 0, column: 1, found: "an array")),
        (#"{"z1": [[1, 2]], "z2": [[1, 2, 3]]}"#, .shapeMismatch(key: "z2", expected: "1×2 (like z1)", got: [1, 3])),
        (#"{"z1": [[1, 2]], "z2": [[1, 2]], "z1t": [[1, 2], [3, 4]]}"#, .shapeMismatch(key: "z1t", expected: "1×2 (like z1)", got: [2, 2])),
        (#"{"z1": [[1, 2]], "z2": [[1, 2]], "queue": [[1, 2, 3]]}"#, .shapeMismatch(key: "queue", expected: "K×2 (D columns)", got: [1, 3])),
        (#"{"z1": [[1, 2]], "z2": [[1, 2]], "F": [[1, 0]]}"#, .shapeMismatch(key: "F", expected: "2×2 (D×D)", got: [1, 2])),
        (#"{"z1": [[1, 2]], "z2": [[1, 2]], "W": [[1, 0, 0], [0, 1, 0]]}"#, .shapeMismatch(key: "W", expected: "2×2 (D×D)", got: [2, 3])),
        (#"{"z1": [[1, 2]], "z2": [[1, 2]], "F": [[1, 0.5], [0, 1]]}"#, .shapeMismatch(key: "F", expected: "a symmetric D×D matrix (F[1][0] ≠ F[0][1])", got: [2, 2])),
        (#"{"z1": [[1, 2], [0, 0]], "z2": [[1, 2], [1, 1]]}"#, .zeroRow(key: "z1", row: 1)),
    ] as [(String, BatchInputError)])
    func rejectsBadInput(text: String, expected: BatchInputError) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test func rejectsNonJSONAndOverflowingNumbers() {
        for text in ["", "{", "not json", #"{"z1": [[NaN]], "z2": [[1]]}"#, #"{"z1": [[Infinity]], "z2": [[1]]}"#,
                     #"{"z1": [[1e400]], "z2": [[1]]}"#, #"{"z1": [[-1e400]], "z2": [[1]]}"#] {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch {
                switch error {
                case .notJSON, .nonFinite: break
                default: Issue.record("\(text): unexpected \(error)")
                }
                #expect(!error.description.isEmpty && !error.description.contains("\n"))
            }
        }
    }

    @Test func unreadableFiles() {
        #expect(throws: BatchInputError.unreadable(path: "/nonexistent/b.json", reason: "no such file")) {
            try BatchInput.load(path: "/nonexistent/b.json")
        }
        let dir = FileManager.default.temporaryDirectory.path
        #expect(throws: BatchInputError.unreadable(path: dir, reason: "is a directory")) { try BatchInput.load(path: dir) }
    }

    @Test func methodMinimumBatch() throws {
        let b = try parse(#"{"z1": [[1, 2]], "z2": [[1, 3]]}"#)
        #expect(throws: BatchInputError.batchTooSmall(method: "barlow", minimum: 2, got: 1)) {
            try b.validate(for: MethodCatalog.descriptor(named: "barlow"))
        }
        try b.validate(for: MethodCatalog.descriptor(named: "unigrad"))
    }
}
