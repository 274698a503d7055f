import Foundation

/// A safetensors file held in memory: named tensors widened to float32, the
/// dtype each was stored with, and the `__metadata__` string map.
public struct SafetensorsArchive: Sendable {
    /// Tensor names in the order their data sits in the file.
    public var names: [String]
    /// Every tensor by name, as float32.
    public var tensors: [String: Tensor]
    /// The dtype each tensor was stored with.
    public var dtypes: [String: SafetensorsDType]
    /// The optional `__metadata__` entries (string to string).
    public var metadata: [String: String]

    public init(names: [String] = [], tensors: [String: Tensor] = [:],
                dtypes: [String: SafetensorsDType] = [:], metadata: [String: String] = [:]) {
        self.names = names
        self.tensors = tensors
        self.dtypes = dtypes
        self.metadata = metadata
    }
}

/// One tensor to write: its name, value, and the dtype to store it as.
public struct SafetensorsEntry: Sendable {
    public var name: String
    public var tensor: Tensor
    public var dtype: SafetensorsDType

    public init(_ name: String, _ tensor: Tensor, dtype: SafetensorsDType = .f32) {
        self.name = name
        self.tensor = tensor
        self.dtype = dtype
    }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header
/// length, a JSON header mapping each name to `{dtype, shape, data_offsets}`
/// (offsets relative to the data that follows) plus an optional
/// `__metadata__` string map, then the raw little-endian data.
///
/// Reading checks everything before touching data: the header length fits the
/// file (and is at most 100 MB), the header is a JSON object of well-formed
/// entries, every entry's byte range lies inside the data, matches its shape
/// and dtype, and the ranges tile the data without gaps or overlaps (as the
/// reference implementation requires). Any violation is a `CheckpointError`
/// naming the file and tensor.
public enum Safetensors {
    /// The largest header accepted, as in the reference implementation.
    public static let maxHeaderLength = 100_000_000

    /// Reads and validates the file at `url` (memory-mapped).
    public static func read(contentsOf url: URL) throws -> SafetensorsArchive {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(.io, path: url.path, "cannot read safetensors file: \(error.localizedDescription)")
        }
        return try decode(data, path: url.path)
    }

    /// Parses and validates safetensors bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> SafetensorsArchive {
        try data.withUnsafeBytes { raw in try decode(raw, path: path) }
    }

    /// Encodes `entries` (names must be unique and not `__metadata__`) and `metadata`.
    public static func encode(_ entries: [SafetensorsEntry], metadata: [String: String] = [:]) throws -> Data {
        var seen = Set<String>()
        for e in entries where !seen.insert(e.name).inserted || e.name == "__metadata__" {
            throw CheckpointError(.mismatch, path: "<safetensors>", "tensor name '\(e.name)' is reserved or used twice; give each tensor a unique name")
        }
        var header = "{"
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            header += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
        }
        var offset = 0
        for e in entries {
            let length = e.tensor.count * e.dtype.size
            if header.count > 1 { header += "," }
            header += "\(jsonString(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":\(e.tensor.shape),\"data_offsets\":[\(offset),\(offset + length)]}"
            offset += length
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for e in entries { e.tensor.withUnsafeBufferPointer { e.dtype.encode($0, into: &out) } }
        return Data(out)
    }

    /// Encodes and writes atomically (a temporary file renamed into place).
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to url: URL) throws {
        let data = try encode(entries, metadata: metadata)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw CheckpointError(.io, path: url.path, "cannot write safetensors file: \(error.localizedDescription)")
        }
    }

    /// `s` as a JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
