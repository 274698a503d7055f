import Foundation
import Imaging
import Testing
import TestSupport

/// Broken and hostile inputs give an `ImagingError` naming the file, never a crash or a huge allocation.
@Suite struct ErrorTests {
    /// A little-endian classic TIFF whose single IFD holds `entries` (tag, type, value), sorted, with
    /// `payload` bytes at offset 512.
    static func craftedTIFF(_ entries: [(UInt16, UInt16, UInt32)], payload: Int = 64) -> Data {
        var d = Data([0x49, 0x49, 42, 0]); append32(&d, 8)
        append16(&d, UInt16(entries.count))
        for (tag, type, value) in entries.sorted(by: { $0.0 < $1.0 }) {
            append16(&d, tag); append16(&d, type); append32(&d, 1)
            if type == 3 { append16(&d, UInt16(value)); append16(&d, 0) } else { append32(&d, value) }
        }
        append32(&d, 0)
        d.append(Data(repeating: 0, count: 512 - d.count))
        d.append(Data((0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        return d
    }

    static func append16(_ d: inout Data, _ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    static func append32(_ d: inout Data, _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }

    static func header(side: UInt32, bits: UInt32 = 8, compression: UInt32 = 8, format: UInt32 = 1) -> [(UInt16, UInt16, UInt32)] {
        [(256, 4, side), (257, 4, side), (258, 3, bits), (259, 3, compression), (262, 3, 1), (273, 4, 512),
         (277, 3, 1), (278, 4, side), (279, 4, 64), (339, 3, format)]
    }

    static func expectError(_ path: String, code: ImagingError.Code? = nil, _ body: () throws -> Void) {
        #expect {
            try body()
        } throws: { error in
            guard let e = error as? ImagingError else { return false }
            return e.description.contains(path) && (code == nil || e.code == code)
        }
    }

    @Test func absurdHeaderIsRefusedWithoutAllocating() throws {
        let dir = try TemporaryDirectory("err")
        defer { dir.remove() }
        let path = dir.file("huge.tif").path
        try Self.craftedTIFF(Self.header(side: 1_000_000)).write(to: URL(fileURLWithPath: path))
        let reader = try TiffReader(path: path)   // headers are fine to read
        #expect(reader.width == 1_000_000 && reader.height == 1_000_000)
        Self.expectError(path, code: .corrupt) { _ = try reader.readWindow(x: 500_000, y: 900_000, width: 256, height: 256) }
        Self.expectError(path, code: .tooLarge) { _ = try reader.readWindow(x: 0, y: 0, width: 1_000_000, height: 1_000_000) }
        let raw = dir.file("huge-raw.tif").path
        try Self.craftedTIFF(Self.header(side: 1_000_000, compression: 1)).write(to: URL(fileURLWithPath: raw))
        Self.expectError(raw) { _ = try TiffReader(path: raw).readWindow(x: 10, y: 10, width: 64, height: 64) }
    }

    @Test func unsupportedCorruptTruncatedAndMissing() throws {
        let dir = try TemporaryDirectory("err")
        defer { dir.remove() }
        let sixteen = dir.file("float.tif").path
        try Self.craftedTIFF(Self.header(side: 4, bits: 32, compression: 1, format: 3)).write(to: URL(fileURLWithPath: sixteen))
        Self.expectError(sixteen, code: .unsupported) { _ = try TiffReader(path: sixteen) }
        let ojpeg = dir.file("ojpeg.tif").path   // pipe refuses old-style JPEG itself: the message says so
        try Self.craftedTIFF(Self.header(side: 64, compression: 6)).write(to: URL(fileURLWithPath: ojpeg))
        Self.expectError(ojpeg, code: .unsupported) { _ = try TiffReader(path: ojpeg) }
        let described = try ImageSummary.of(path: ojpeg)
        #expect(described.problem?.hasPrefix("old-style JPEG (compression 6") == true && described.problem?.contains("libtiff") == false,
                "\(described.problem ?? "")")
        let text = try dir.write("notes.tif", "this is not a tiff").path
        Self.expectError(text, code: .corrupt) { _ = try TiffReader(path: text) }
        let garbage = dir.file("garbage.tif").path
        try Data([0x49, 0x49, 42, 0, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 7, count: 100)).write(to: URL(fileURLWithPath: garbage))
        Self.expectError(garbage) { _ = try TiffReader(path: garbage) }
        Self.expectError(dir.file("missing.tif").path, code: .io) { _ = try TiffReader(path: dir.file("missing.tif").path) }

        // a valid file cut in half: opening or reading fails with the path, never crashes
        let good = dir.file("good.tif").path
        let writer = try TiffWriter(path: good, width: 256, height: 256, channels: 3, options: .init(compression: .deflate, tileSize: 64))
        let band = Fixtures.image(width: 256, height: 64, seed: 1)
        for _ in 0..<4 { try band.withUnsafeBufferPointer { try writer.write(band: $0, rows: 64) } }
        try writer.finish()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        for cut in [bytes.count / 2, bytes.count - 40, 200] {
            let truncated = dir.file("cut\(cut).tif").path
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: truncated))
            Self.expectError(truncated) { _ = try TiffReader(path: truncated).readWindow(x: 0, y: 0, width: 256, height: 256) }
        }
    }

    @Test func pngErrorsAndMaskMismatch() throws {
        let dir = try TemporaryDirectory("err")
        defer { dir.remove() }
        let fake = try dir.write("fake.png", "GIF89a not a png").path
        Self.expectError(fake, code: .corrupt) { _ = try PNGFile.read(path: fake) }
        let image = dir.file("a.png").path, mask = dir.file("a-mask.png").path
        try PNGFile.write(PixelImage(width: 8, height: 6, channels: 3, pixels: [UInt8](repeating: 9, count: 144)), path: image)
        try PNGFile.write(PixelImage(width: 6, height: 8, channels: 1, pixels: [UInt8](repeating: 255, count: 48)), path: mask)
        Self.expectError(mask, code: .sizeMismatch) { _ = try ImageMaskPair.load(image: image, mask: mask) }
        let data = try Data(contentsOf: URL(fileURLWithPath: image))
        let cut = dir.file("cut.png").path
        try data.prefix(data.count - 20).write(to: URL(fileURLWithPath: cut))
        Self.expectError(cut, code: .corrupt) { _ = try PNGFile.read(path: cut) }
    }

    /// A PNG of just a signature, an IHDR claiming `width` x `height` (8-bit RGB), a little IDAT and IEND.
    static func craftedPNG(width: UInt32, height: UInt32, interlaced: Bool) -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in typed {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return be32(UInt32(body.count)) + typed + be32(~crc)
        }
        func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        let ihdr = be32(width) + be32(height) + [8, 2, 0, 0, interlaced ? 1 : 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x60, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01]   // zlib of 4 zero bytes: one black RGB pixel
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", []))
    }

    @Test func pngClaimingAHugeSizeIsRefusedBeforeAllocating() throws {
        let dir = try TemporaryDirectory("png-huge")
        defer { dir.remove() }
        for interlaced in [false, true] {
            let path = dir.file("huge\(interlaced).png").path
            try Self.craftedPNG(width: 1_000_000, height: 1_000_000, interlaced: interlaced).write(to: URL(fileURLWithPath: path))
            let header = try PNGFile.header(path: path)   // the header alone is fine
            #expect(header.width == 1_000_000 && header.height == 1_000_000)
            for channels in [1, 3] {
                #expect {
                    _ = try PNGFile.read(path: path, channels: channels)
                } throws: { error in
                    let e = error as! ImagingError
                    return e.code == .tooLarge && e.description.contains(path) && e.message.contains("1000000 x 1000000")
                }
            }
            // streaming holds one row, but 10^12 pixels are over the pixel budget (PIPE_MAX_PIXELS) anyway
            Self.expectError(path, code: .tooLarge) {
                try PNGFile.readRows(path: path, channels: 1, keep: false) { _, _ in }
            }
        }
        let small = dir.file("small.png").path   // the crafted header is a readable PNG at a sane size
        try Self.craftedPNG(width: 1, height: 1, interlaced: false).write(to: URL(fileURLWithPath: small))
        #expect(try PNGFile.read(path: small).pixels.count == 3)
    }

    @Test func pngRoundTripsEveryChannelCount() throws {
        let dir = try TemporaryDirectory("png")
        defer { dir.remove() }
        let rgb = Fixtures.image(width: 33, height: 17, seed: 2)
        let path = dir.file("x.png").path
        try PNGFile.write(PixelImage(width: 33, height: 17, channels: 3, pixels: rgb), path: path)
        #expect(try PNGFile.read(path: path).pixels == rgb)
        let gray = (0..<(33 * 17)).map { UInt8($0 % 256) }
        try PNGFile.write(PixelImage(width: 33, height: 17, channels: 1, pixels: gray), path: path)
        #expect(try PNGFile.read(path: path, channels: 1).pixels == gray)
        #expect(try PNGFile.read(path: path, channels: 3).pixels == gray.flatMap { [$0, $0, $0] })
        let rgba = (0..<(33 * 17 * 4)).map { UInt8($0 % 251) }
        try PNGFile.write(PixelImage(width: 33, height: 17, channels: 4, pixels: rgba), path: path)
        let back = try PNGFile.read(path: path)
        var want: [UInt8] = []
        for p in 0..<(33 * 17) { want += [rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2]] }
        #expect(back.pixels == want)
    }
}
