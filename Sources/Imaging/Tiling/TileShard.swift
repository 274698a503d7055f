import Foundation

/// The tile artifact of one source image (`tiles.bin`): a small header, the
/// tiles' pixel data (each tile's RGB plane then its mask plane, every tile
/// 64-byte aligned), then a fixed-size index. Little-endian throughout, so
/// training memory-maps it and reads tile `i` without parsing anything.
///
/// ```
/// 0   magic "PIPETILE"        8   u32 version (1)     12  u32 tile size
/// 16  u32 channels (3)        20  u32 tile count      24  u64 index offset
/// 32  u64 tile stride (bytes) 40  24 bytes reserved   64  tile data…
/// index: per tile 32 bytes: i32 x, i32 y, u16 grid, u16 reduce, u32 mask pixels,
///        u32 saturated pixels, u32 reserved, u64 data offset
/// ```
public enum TileShard {
    public static let magic = Array("PIPETILE".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 64
    static let indexEntrySize = 32

    /// Where one tile came from and what it holds.
    public struct Entry: Sendable, Equatable {
        /// Window origin in full-resolution image coordinates (negative inside the padding).
        public var x: Int
        public var y: Int
        public var grid: Int
        public var reduce: Int
        public var maskPixels: Int
        public var saturatedPixels: Int

        public init(x: Int, y: Int, grid: Int, reduce: Int, maskPixels: Int, saturatedPixels: Int) {
            self.x = x
            self.y = y
            self.grid = grid
            self.reduce = reduce
            self.maskPixels = maskPixels
            self.saturatedPixels = saturatedPixels
        }
    }

    /// Bytes one tile takes in the file (RGB + mask, padded to 64).
    static func stride(size: Int, channels: Int) -> Int { (size * size * (channels + 1) + 63) / 64 * 64 }
}

/// Streams tiles into a shard file; `finish()` writes the index and header.
public final class TileShardWriter {
    public let path: String
    public let size: Int
    private let handle: FileHandle
    private var entries: [TileShard.Entry] = []
    private let tileStride: Int

    public init(path: String, size: Int) throws {
        self.path = path
        self.size = size
        tileStride = TileShard.stride(size: size, channels: 3)
        guard FileManager.default.createFile(atPath: path, contents: Data(count: TileShard.headerSize)) else {
            throw ImagingError(.io, "cannot create the tile shard", path: path)
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    /// Appends one tile: `rgb` is size*size*3 bytes, `mask` size*size.
    public func append(rgb: UnsafeBufferPointer<UInt8>, mask: UnsafeBufferPointer<UInt8>, entry: TileShard.Entry) throws {
        precondition(rgb.count == size * size * 3 && mask.count == size * size, "tile planes of the wrong size")
        var record = Data(capacity: tileStride)
        record.append(rgb)
        record.append(mask)
        record.append(Data(count: tileStride - record.count))
        try handle.write(contentsOf: record)
        entries.append(entry)
    }

    public var count: Int { entries.count }

    /// Writes the index and the header, then closes the file.
    public func finish() throws {
        let indexOffset = UInt64(TileShard.headerSize + entries.count * tileStride)
        var index = Data(capacity: entries.count * TileShard.indexEntrySize)
        for (i, entry) in entries.enumerated() {
            index.appendLittle(Int32(entry.x))
            index.appendLittle(Int32(entry.y))
            index.appendLittle(UInt16(entry.grid))
            index.appendLittle(UInt16(entry.reduce))
            index.appendLittle(UInt32(entry.maskPixels))
            index.appendLittle(UInt32(entry.saturatedPixels))
            index.appendLittle(UInt32(0))
            index.appendLittle(UInt64(TileShard.headerSize + i * tileStride))
        }
        try handle.write(contentsOf: index)
        var header = Data(TileShard.magic)
        header.appendLittle(TileShard.version)
        header.appendLittle(UInt32(size))
        header.appendLittle(UInt32(3))
        header.appendLittle(UInt32(entries.count))
        header.appendLittle(indexOffset)
        header.appendLittle(UInt64(tileStride))
        header.append(Data(count: TileShard.headerSize - header.count))
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: header)
        try handle.synchronize()
        try handle.close()
    }
}

extension Data {
    mutating func appendLittle<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
