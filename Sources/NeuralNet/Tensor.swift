/// A dense float32 tensor: a shape and its elements in contiguous row-major
/// (C) order, so an NCHW image batch stores `w` fastest. A value type: copies
/// share storage until one of them writes (copy-on-write of `storage`).
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The extent of each dimension, outermost first (e.g. `[n, c, h, w]`).
    public private(set) var shape: [Int]
    /// The elements, row-major; `storage.count == shape.reduce(1, *)`.
    public var storage: [Float]

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of `shape` holding `storage` (row-major); the counts must agree.
    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `shape` whose elements the caller overwrites before reading (no zero fill).
    init(uninitializedShape shape: [Int]) {
        self.shape = shape
        self.storage = [Float](unsafeUninitializedCapacity: shape.reduce(1, *)) { _, count in count = shape.reduce(1, *) }
    }

    /// A rank-0 tensor holding one value.
    public init(scalar: Float) { self.init(shape: [], storage: [scalar]) }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// Number of elements.
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(storage.count == 1, "scalar of a tensor of shape \(shape)")
        return storage[0]
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, storage: storage) }

    /// Reads elements through a buffer pointer (no copy).
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Writes elements in place through a buffer pointer (copies first if the storage is shared).
    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// The element at a full multi-index (slow path; for tests and small tensors).
    public subscript(_ index: Int...) -> Float {
        get { storage[offset(index)] }
        set { storage[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of range for shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    public var description: String {
        let head = storage.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(storage.count > 8 ? ", ..." : "")])"
    }
}

extension Tensor {
    /// Elementwise `self += other` (same element count).
    public mutating func add(_ other: Tensor) {
        precondition(count == other.count, "adding \(other.shape) to \(shape)")
        other.withUnsafeBufferPointer { o in
            withUnsafeMutableBufferPointer { d in
                for i in 0..<d.count { d[i] += o[i] }
            }
        }
    }

    /// Largest absolute elementwise difference (for tests and checks).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count, "comparing \(other.shape) to \(shape)")
        var worst: Float = 0
        for i in 0..<count { worst = max(worst, abs(storage[i] - other.storage[i])) }
        return worst
    }

    /// Sum of all elements, accumulated in Double.
    public func sum() -> Double { storage.reduce(0.0) { $0 + Double($1) } }
}
