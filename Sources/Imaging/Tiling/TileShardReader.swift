import Foundation

/// A memory-mapped tile shard: tile `i`'s RGB and mask planes are read in
/// place, without copying the file.
public final class TileShardReader: @unchecked Sendable {
    public let path: String
    public let size: Int
    public let entries: [TileShard.Entry]
    private let data: Data
    private let tileStride: Int

    /// Maps `path`; throws naming the file when it is not a shard, is of
    /// another version, or is truncated.
    public init(path: String) throws {
        self.path = path
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ImagingError(.io, "cannot read the tile shard: \(error.localizedDescription)", path: path)
        }
        guard data.count >= TileShard.headerSize, Array(data.prefix(8)) == TileShard.magic else {
            throw ImagingError(.corrupt, "not a pipe tile shard (bad magic)", path: path)
        }
        let version: UInt32 = data.readLittle(at: 8)
        guard version == TileShard.version else {
            throw ImagingError(.unsupported, "tile shard version \(version); this pipe reads version \(TileShard.version)", path: path)
        }
        size = Int(data.readLittle(at: 12) as UInt32)
        let count = Int(data.readLittle(at: 20) as UInt32)
        let indexOffset = Int(exactly: data.readLittle(at: 24) as UInt64) ?? -1
        tileStride = Int(exactly: data.readLittle(at: 32) as UInt64) ?? -1
        // every size is checked against the file's length before it is multiplied or allocated for
        guard size >= 1, size <= 1 << 14 else {
            throw ImagingError(.corrupt, "tile shard header field 'size' is \(size); it must be 1 to 16384", path: path)
        }
        let (tiles, overflow) = count.multipliedReportingOverflow(by: max(tileStride, 0))
        guard tileStride == TileShard.stride(size: size, channels: 3), !overflow,
              indexOffset == TileShard.headerSize + tiles,
              count * TileShard.indexEntrySize <= data.count - min(indexOffset, data.count) else {
            throw ImagingError(.corrupt, "tile shard is truncated or its header fields 'count', 'index offset' and 'stride' disagree", path: path)
        }
        var entries: [TileShard.Entry] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let base = indexOffset + i * TileShard.indexEntrySize
            entries.append(TileShard.Entry(
                x: Int(data.readLittle(at: base) as Int32), y: Int(data.readLittle(at: base + 4) as Int32),
                grid: Int(data.readLittle(at: base + 8) as UInt16), reduce: Int(data.readLittle(at: base + 10) as UInt16),
                maskPixels: Int(data.readLittle(at: base + 12) as UInt32),
                saturatedPixels: Int(data.readLittle(at: base + 16) as UInt32)))
        }
        self.entries = entries
    }

    public var count: Int { entries.count }

    /// Calls `body` with tile `index`'s RGB (size*size*3) and mask (size*size) planes.
    public func withTile<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        precondition(entries.indices.contains(index), "tile index out of range")
        let start = TileShard.headerSize + index * tileStride
        let planes = size * size
        return try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return try body(UnsafeBufferPointer(rebasing: bytes[start..<start + planes * 3]),
                            UnsafeBufferPointer(rebasing: bytes[start + planes * 3..<start + planes * 4]))
        }
    }
}

extension Data {
    func readLittle<T: FixedWidthInteger>(at offset: Int) -> T {
        var value = T.zero
        Swift.withUnsafeMutableBytes(of: &value) { target in
            copyBytes(to: target, from: offset..<offset + MemoryLayout<T>.size)
        }
        return T(littleEndian: value)
    }
}
