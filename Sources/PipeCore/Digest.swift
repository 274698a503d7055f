import Crypto
import Foundation

/// A SHA-256 digest, shown and stored as 64 lower-case hex characters.
public struct Digest: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let hex: String

    /// Wraps a hex string; nil unless it is 64 lower-case hex characters.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        self.hex = hex
    }

    init(_ digest: SHA256.Digest) {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        hex = String(decoding: bytes, as: UTF8.self)
    }

    /// The digest of `data`.
    public static func of(_ data: Data) -> Digest { Digest(SHA256.hash(data: data)) }

    /// The digest of a JSON value's canonical form: how task keys are made.
    public static func of(_ value: JSONValue) -> Digest { of(value.canonicalData) }

    /// The first 12 characters, enough to tell objects apart in tables.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }
    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha-256 hex digest: '\(text)'"))
        }
        self = digest
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// Incremental SHA-256 for streaming a file through in chunks.
public struct StreamingHasher {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public mutating func update(_ data: Data) { hasher.update(data: data) }
    public func finalize() -> Digest { Digest(hasher.finalize()) }

    /// Hashes a file by streaming it in 4 MiB chunks (bounded memory for any size).
    public static func digest(ofFileAt path: String) throws -> Digest {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var hasher = StreamingHasher()
        let chunk = 4 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }
}
