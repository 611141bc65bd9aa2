import TensorCore

/// One named entry of a safetensors file: a dtype, a shape and the raw little-endian bytes.
///
/// ```swift
/// let w = SafeTensor(Tensor<Float>.ones([2, 3]))        // F32, shape [2, 3], 24 bytes
/// let rng = SafeTensor(uint64: [state])                   // U64, shape [1]
/// ```
public struct SafeTensor: Sendable, Equatable {
    /// The element type.
    public let dtype: SafeTensorsDType
    /// The extent of each dimension (`[]` for a scalar).
    public let shape: [Int]
    /// `Π shape × dtype.size` bytes, little-endian, row-major.
    public let bytes: [UInt8]

    /// An entry from raw bytes; their count must be `Π shape × dtype.size`.
    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafeTensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) * dtype.size == bytes.count,
                     "SafeTensor: shape \(shape) of \(dtype.rawValue) needs \(shape.reduce(1, *) * dtype.size) bytes, got \(bytes.count)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A `Float` tensor as `F32` or a `Double` tensor as `F64`, bit for bit (NaN payloads, `-0.0`
    /// and subnormals survive).
    public init<Scalar: BLASScalar>(_ tensor: Tensor<Scalar>) {
        let dtype: SafeTensorsDType = Scalar.self == Float.self ? .f32 : .f64
        precondition(MemoryLayout<Scalar>.size == dtype.size, "SafeTensor: unsupported scalar \(Scalar.self)")
        self.init(dtype: dtype, shape: tensor.shape, bytes: littleEndianBytes(tensor.scalars))
    }

    /// Signed 64-bit integers (`I64`), e.g. step counters; `shape` defaults to `[count]`.
    public init(int64 values: [Int64], shape: [Int]? = nil) {
        self.init(dtype: .i64, shape: shape ?? [values.count], bytes: littleEndianBytes(values))
    }

    /// Unsigned 64-bit integers (`U64`), e.g. random-generator states; `shape` defaults to `[count]`.
    public init(uint64 values: [UInt64], shape: [Int]? = nil) {
        self.init(dtype: .u64, shape: shape ?? [values.count], bytes: littleEndianBytes(values))
    }

    /// Bytes (`U8`); `shape` defaults to `[count]`.
    public init(uint8 values: [UInt8], shape: [Int]? = nil) {
        self.init(dtype: .u8, shape: shape ?? [values.count], bytes: values)
    }

    /// The number of elements, `Π shape`.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements reinterpreted as `T` (whose size must be the dtype's), from little-endian bytes.
    func values<T: FixedWidthInteger>(as _: T.Type) -> [T] {
        precondition(MemoryLayout<T>.size == dtype.size, "SafeTensor: \(T.self) does not match \(dtype.rawValue)")
        let n = elementCount
        return [T](unsafeUninitializedCapacity: n) { out, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<n { out[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * T.bitWidth / 8, as: T.self)) }
            }
            initialized = n
        }
    }
}

/// The little-endian bytes of an array of fixed-size values (integers or IEEE floats).
func littleEndianBytes<T>(_ values: [T]) -> [UInt8] {
    var out = values.withUnsafeBytes { Array($0) }
    if 1.littleEndian != 1 {
        let size = MemoryLayout<T>.size
        for start in stride(from: 0, to: out.count, by: size) { out[start..<(start + size)].reverse() }
    }
    return out
}
