/// A dense, row-major, n-dimensional array of `Float` or `Double`.
///
/// `Tensor` is a value: it stores its elements in a Swift `Array`, so copies share storage until
/// one of them is written (copy-on-write). Shapes use the letters of the derivations:
/// `(N, D)` for a batch of features, `(N, C, H, W)` for images.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let z = Tensor<Double>.randomNormal([4, 3], using: &rng)
/// let u = z.l2NormalizedRows()          // each row has unit norm
/// let s = u.matmul(u, transposeOther: true)   // (4, 4) cosine similarities
/// ```
public struct Tensor<Scalar: BLASScalar>: Equatable, Sendable {
    /// The extent of each dimension.
    public var shape: [Int] { _shape }
    @usableFromInline var _shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Scalar]

    /// A tensor of the given shape holding `scalars` in row-major order.
    @inlinable public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self._shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    @inlinable public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    @inlinable public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones.
    @inlinable public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A matrix from nested rows; all rows must have the same length.
    @inlinable public init(rows: [[Scalar]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "ragged rows: lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 })
    }

    /// The `n×n` identity matrix.
    @inlinable public static func identity(_ n: Int) -> Tensor {
        var t = zeros([n, n])
        for i in 0..<n { t.scalars[i * n + i] = 1 }
        return t
    }

    /// Uniform samples in `[low, high)` from a seeded generator.
    @inlinable public static func randomUniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1,
                                     using rng: inout RandomGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        let lo = Double(low), hi = Double(high)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in Scalar(rng.uniform(lo, hi)) })
    }

    /// Normal samples with the given mean and standard deviation from a seeded generator.
    @inlinable public static func randomNormal(_ shape: [Int], mean: Scalar = 0, std: Scalar = 1,
                                    using rng: inout RandomGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        let m = Double(mean), s = Double(std)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in Scalar(m + s * rng.nextNormal()) })
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Rows of a matrix (or the first dimension).
    @inlinable public var rows: Int { shape[0] }
    /// Columns of a matrix (the product of all dimensions after the first).
    @inlinable public var columns: Int { shape.count == 0 ? 1 : (shape[0] == 0 ? 0 : count / shape[0]) }

    /// The same elements under another shape with the same number of elements.
    @inlinable public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Element access by multi-index.
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    /// Row `i` of a matrix as an array.
    @inlinable public func row(_ i: Int) -> [Scalar] {
        precondition(i >= 0 && i < rows, "row \(i) out of range 0..<\(rows)")
        let c = columns
        return Array(scalars[(i * c)..<((i + 1) * c)])
    }

    /// The sub-tensor made of the given first-dimension indices (e.g. selected samples).
    @inlinable public func gatherRows(_ indices: [Int]) -> Tensor {
        let c = columns
        var out = [Scalar]()
        out.reserveCapacity(indices.count * c)
        for i in indices {
            precondition(i >= 0 && i < rows, "row \(i) out of range 0..<\(rows)")
            out.append(contentsOf: scalars[(i * c)..<((i + 1) * c)])
        }
        var s = shape
        s[0] = indices.count
        return Tensor(shape: s, scalars: out)
    }

    /// Rows `range` of the first dimension.
    @inlinable public func slicingRows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of 0..<\(rows)")
        let c = columns
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, scalars: Array(scalars[(range.lowerBound * c)..<(range.upperBound * c)]))
    }

    /// Stacks tensors of equal trailing shape along the first dimension.
    @inlinable public static func concatenatingRows(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concatenatingRows needs at least one tensor")
        let tail = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == tail },
                     "concatenatingRows: trailing shapes differ: \(parts.map(\.shape))")
        var shape = parts[0].shape
        shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
        return Tensor(shape: shape, scalars: parts.flatMap(\.scalars))
    }

    /// The same values converted to another scalar type.
    @inlinable public func converted<T: BLASScalar>(to: T.Type = T.self) -> Tensor<T> {
        Tensor<T>(shape: shape, scalars: scalars.map { T(Double($0)) })
    }

    /// True when every element is finite (no NaN, no ±∞).
    @inlinable public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

    @usableFromInline func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) has rank \(index.count), tensor has shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }
}
