import Foundation

/// TensorBoard event files (`events.out.tfevents.<unix>.<host>` by convention), written
/// without TensorFlow: a TFRecord stream (uint64 length, masked CRC-32C of
/// the length, the bytes, masked CRC-32C of the bytes; little-endian) of
/// serialized `Event` protos. The first record carries `file_version`
/// "brain.Event:2"; each later one a step's scalars as
/// `summary.value { tag, simple_value }`.
enum TensorBoardEvents {
    /// The file name TensorBoard looks for. Its time field is 0, not the start: a fold's output
    /// holds no clock reading, so it is the same bytes wherever and however fast it ran.
    static let fileName = "events.out.tfevents.0.pipe"

    /// The whole file: the version record, then one record per `(step, scalars)`. Each record's
    /// `wall_time` is its step (seconds after 1970-01-01), so TensorBoard's time axes count epochs.
    static func file(steps: [(step: Int, scalars: [(String, Float)])]) -> Data {
        var data = record(event(wallTime: 0, step: 0, fileVersion: "brain.Event:2"))
        for entry in steps {
            data += record(event(wallTime: Double(entry.step), step: entry.step, scalars: entry.scalars))
        }
        return data
    }

    /// One TFRecord frame around `payload`.
    static func record(_ payload: Data) -> Data {
        var length = Data()
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { length.append(contentsOf: $0) }
        var out = length
        withUnsafeBytes(of: maskedCRC(length).littleEndian) { out.append(contentsOf: $0) }
        out += payload
        withUnsafeBytes(of: maskedCRC(payload).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// An `Event`: wall_time (1, double), step (2, int64), file_version (3) or summary (5).
    static func event(wallTime: Double, step: Int, fileVersion: String? = nil, scalars: [(String, Float)] = []) -> Data {
        var proto = ProtoWriter()
        proto.double(1, wallTime)
        proto.varint(2, UInt64(bitPattern: Int64(step)))
        if let fileVersion { proto.bytes(3, Data(fileVersion.utf8)) }
        if !scalars.isEmpty {
            var summary = ProtoWriter()
            for (tag, value) in scalars {
                var item = ProtoWriter()
                item.bytes(1, Data(tag.utf8))
                item.float(2, value)
                summary.bytes(1, item.data)
            }
            proto.bytes(5, summary.data)
        }
        return proto.data
    }

    /// TFRecord's masked CRC: `rotate right 15 of crc32c, plus 0xa282ead8`.
    static func maskedCRC(_ data: Data) -> UInt32 {
        let crc = crc32c(data)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
    static func crc32c(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }

    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }
}

/// The few protobuf wire encodings an `Event` needs.
struct ProtoWriter {
    private(set) var data = Data()

    private mutating func raw(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            data.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        data.append(UInt8(v))
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        raw(UInt64(field << 3))
        raw(value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        raw(UInt64(field << 3 | 1))
        withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        raw(UInt64(field << 3 | 5))
        withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ value: Data) {
        raw(UInt64(field << 3 | 2))
        raw(UInt64(value.count))
        data.append(value)
    }
}
