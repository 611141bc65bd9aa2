import Foundation

/// A derivation file (`derivations/*.md`) reduced to what `verify` needs: the check ids it names,
/// in order, with their line numbers.
///
/// Syntax (FORMATS.md): a fence whose info string is exactly `check` — three or more backticks
/// or tildes, then `check` — holds one check id per non-empty line; the same fence character,
/// at least as long, closes it. Other fences (`math`, `swift`, …) are skipped, so a `check`
/// fence shown *inside* another fence as an example is not run.
public struct DerivationDocument: Sendable, Equatable {
    /// One id named in a check fence.
    public struct Reference: Sendable, Equatable {
        public var id: String
        /// 1-based line number in the file.
        public var line: Int
    }

    /// The path the document was read from (as given).
    public var path: String
    /// The named checks in order of appearance (an id may appear more than once).
    public var references: [Reference]

    /// The ids in order of appearance.
    public var checkIDs: [String] { references.map(\.id) }

    /// Parses Markdown text. Throws `unterminatedFence` for an unclosed `check` fence.
    public static func parse(_ text: String, path: String = "<text>") throws -> DerivationDocument {
        var references: [Reference] = []
        var open: (marker: Character, length: Int, isCheck: Bool, line: Int)?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let fence = open {
                if let (marker, length, info) = fenceOpening(line), marker == fence.marker,
                   length >= fence.length, info.isEmpty {
                    open = nil
                } else if fence.isCheck && !line.isEmpty {
                    references.append(Reference(id: line, line: lineNumber))
                }
            } else if let (marker, length, info) = fenceOpening(line) {
                open = (marker, length, info == "check", lineNumber)
            }
        }
        if let fence = open, fence.isCheck { throw DerivationError.unterminatedFence(path: path, line: fence.line) }
        return DerivationDocument(path: path, references: references)
    }

    /// Reads and parses a file. Throws `fileNotFound`, `unreadable` or `unterminatedFence`.
    public static func load(path: String) throws -> DerivationDocument {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DerivationError.fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw DerivationError.unreadable(path: path, reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DerivationError.unreadable(path: path, reason: "permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DerivationError.unreadable(path: path, reason: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// `(marker, run length, info string)` when `line` opens or closes a fence.
    private static func fenceOpening(_ line: String) -> (Character, Int, String)? {
        guard let first = line.first, first == "`" || first == "~" else { return nil }
        let run = line.prefix { $0 == first }.count
        guard run >= 3 else { return nil }
        let info = line.dropFirst(run).trimmingCharacters(in: .whitespaces)
        if first == "`" && info.contains("`") { return nil }  // inline code, not a fence
        return (first, run, info)
    }
}
