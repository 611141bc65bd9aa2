import Foundation

extension SafeTensors {
    /// Parses and validates a whole file's bytes.
    ///
    /// Checks, in order: the 8-byte prefix; the header length against the file and the 100 MB
    /// limit; the header as a JSON object whose entries have a `dtype` string, a `shape` of
    /// non-negative integers and two integer `data_offsets`, and whose `__metadata__` maps strings
    /// to strings; known dtypes; offsets inside the buffer with `begin ≤ end`; byte length
    /// `= Π shape × dtype size`; no overlap; every buffer byte covered.
    public init(decoding bytes: [UInt8]) throws(CheckpointError) {
        guard bytes.count >= 8 else { throw .truncated(bytes: bytes.count) }
        let n = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(bytes.count - 8) else { throw .headerLengthExceedsFile(headerLength: n, available: bytes.count - 8) }
        guard n <= UInt64(Self.maximumHeaderLength) else {
            throw .invalidHeader(reason: "header length \(n) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        let headerEnd = 8 + Int(n)
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: Data(bytes[8..<headerEnd]))
        } catch let error as DecodingError {
            throw .invalidHeader(reason: describe(error))
        } catch {
            throw .invalidHeader(reason: oneLine("\(error)"))
        }

        let bufferSize = bytes.count - headerEnd
        var spans = [(name: String, begin: Int, end: Int)]()
        var tensors = [String: SafeTensor]()
        for (name, raw) in header.entries {
            guard let dtype = SafeTensorsDType(rawValue: raw.dtype) else { throw .unknownDType(tensor: name, dtype: raw.dtype) }
            guard raw.shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidHeader(reason: "tensor '\(name)': negative dimension in shape \(raw.shape)")
            }
            guard raw.dataOffsets.count == 2 else {
                throw .invalidHeader(reason: "tensor '\(name)': data_offsets needs 2 integers, got \(raw.dataOffsets.count)")
            }
            let (begin, end) = (raw.dataOffsets[0], raw.dataOffsets[1])
            guard begin >= 0, begin <= end, end <= bufferSize else {
                throw .offsetsOutOfRange(tensor: name, begin: begin, end: end, bufferSize: bufferSize)
            }
            var expected = dtype.size, overflow = false
            for d in raw.shape where !overflow { (expected, overflow) = expected.multipliedReportingOverflow(by: d) }
            guard !overflow, expected == end - begin else {
                throw .sizeMismatch(tensor: name, shape: raw.shape, dtype: dtype.rawValue,
                                    expectedBytes: overflow ? Int.max : expected, actualBytes: end - begin)
            }
            spans.append((name, begin, end))
            tensors[name] = SafeTensor(dtype: dtype, shape: raw.shape,
                                       bytes: Array(bytes[(headerEnd + begin)..<(headerEnd + end)]))
        }

        // Coverage: sorted by offsets, each non-empty span must start where the previous ended.
        spans.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0, previous = ""
        for span in spans where span.begin != span.end {
            if span.begin < cursor { throw .overlappingOffsets(first: previous, second: span.name) }
            if span.begin > cursor { throw .bufferNotCovered(begin: cursor, end: span.begin) }
            cursor = span.end
            previous = span.name
        }
        if cursor < bufferSize { throw .bufferNotCovered(begin: cursor, end: bufferSize) }
        self.init(tensors: tensors, metadata: header.metadata)
    }
}

/// One tensor's header entry as written in the JSON.
private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}

/// The header object: tensor entries plus the optional `__metadata__` string map.
private struct RawHeader: Decodable {
    var entries: [(String, RawEntry)] = []
    var metadata: [String: String] = [:]

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == SafeTensors.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}

/// A decoding error as one line: the JSON path and what was wrong there.
private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let p = context.codingPath.reduce(into: "") { text, key in
            if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return p.isEmpty ? "" : "at \(p): "
    }
    switch error {
    case let .typeMismatch(_, c), let .valueNotFound(_, c):
        return oneLine(path(c) + c.debugDescription)
    case let .keyNotFound(key, c):
        return oneLine(path(c) + "missing key '\(key.stringValue)'")
    case let .dataCorrupted(c):
        let underlying = c.underlyingError.map { " (\($0))" } ?? ""
        return oneLine(path(c) + c.debugDescription + underlying)
    @unknown default:
        return oneLine("\(error)")
    }
}
