extension SafeTensors {
    /// The file's bytes: header length, space-padded JSON header, data buffer.
    ///
    /// Tensors are laid out by decreasing element size, then by name, so every tensor starts at a
    /// multiple of its element size (the data buffer itself starts at a multiple of 8).
    public func encoded() -> [UInt8] {
        precondition(tensors[Self.metadataKey] == nil, "'\(Self.metadataKey)' is reserved for metadata, not a tensor name")
        let items = tensors.sorted { a, b in
            a.value.dtype.size != b.value.dtype.size ? a.value.dtype.size > b.value.dtype.size : a.key < b.key
        }
        var entries = [String]()
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\(jsonString(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in items {
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],"
                           + "\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        out.append(contentsOf: littleEndianBytes([UInt64(header.count)]))
        out.append(contentsOf: header)
        for (_, t) in items { out.append(contentsOf: t.bytes) }
        return out
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
