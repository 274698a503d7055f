/// The element types of the safetensors format that NeuralNet reads (all are
/// widened to float32 on load) and writes (`F32` for weights, `I64` for
/// counters such as batch norm's `num_batches_tracked`, as PyTorch has them).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case f64 = "F64"
    case i64 = "I64"
    case i32 = "I32"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f16, .bf16: 2
        case .f32, .i32: 4
        case .f64, .i64: 8
        }
    }

    /// Decodes `count` little-endian elements at `source` into `destination` as float32.
    func decode(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>) {
        switch self {
        case .f32 where Self.hostIsLittleEndian:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f32:
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        case .f16:
            for i in 0..<count { destination[i] = Float(Float16(bitPattern: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))) }
        case .bf16:
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16) }
        case .f64:
            for i in 0..<count { destination[i] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
        case .i64:
            for i in 0..<count { destination[i] = Float(Int64(littleEndian: source.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        case .i32:
            for i in 0..<count { destination[i] = Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        }
    }

    /// Appends `values` as little-endian elements of this type to `out`
    /// (floats are rounded to nearest for F16/BF16, integers truncated toward zero).
    func encode(_ values: UnsafeBufferPointer<Float>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + values.count * size)
        func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        switch self {
        case .f32 where Self.hostIsLittleEndian: out.append(contentsOf: UnsafeRawBufferPointer(values))
        case .f32: for v in values { append(v.bitPattern) }
        case .f16: for v in values { append(Float16(v).bitPattern) }
        case .bf16: for v in values { append(Self.bfloat16Bits(v)) }
        case .f64: for v in values { append(Double(v).bitPattern) }
        case .i64: for v in values { append(Int64(Self.clampedInteger(v, Int64.self))) }
        case .i32: for v in values { append(Int32(Self.clampedInteger(v, Int32.self))) }
        }
    }

    /// Float32 bytes are already in file order: copied whole (checkpoints of big models in debug builds took seconds).
    static let hostIsLittleEndian = 1.littleEndian == 1

    /// `v` truncated toward zero and clamped to `T`'s range (NaN becomes 0), so encoding never traps.
    static func clampedInteger<T: FixedWidthInteger>(_ v: Float, _: T.Type) -> T {
        if v.isNaN { return 0 }
        if v >= Float(T.max) { return T.max }
        if v <= Float(T.min) { return T.min }
        return T(v)
    }

    /// bfloat16 bits of `v`, rounded to nearest even (NaN stays NaN).
    static func bfloat16Bits(_ v: Float) -> UInt16 {
        if v.isNaN { return 0x7FC0 }
        let bits = v.bitPattern
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
