import Foundation
import Imaging
import Testing
import TestSupport
import Synchronization

@Suite struct TiffReaderTests {
    static func file(_ dir: TemporaryDirectory, options: TiffWriteOptions, width: Int = 300, height: Int = 200) throws -> (String, [UInt8]) {
        let img = Fixtures.image(width: width, height: height, seed: 8)
        let path = dir.file("t.tif").path
        let writer = try TiffWriter(path: path, width: width, height: height, channels: 3, options: options)
        var y = 0
        while y < height {
            let rows = min(options.bandRows, height - y)
            try img.withUnsafeBufferPointer { try writer.write(band: UnsafeBufferPointer(rebasing: $0[(y * width * 3)..<((y + rows) * width * 3)]), rows: rows) }
            y += rows
        }
        try writer.finish()
        return (path, img)
    }

    @Test func parallelWindowReadsMatchSerialReads() throws {
        let dir = try TemporaryDirectory("par")
        defer { dir.remove() }
        let (path, img) = try Self.file(dir, options: .init(compression: .deflate, tileSize: 32))
        let reader = try TiffReader(path: path)
        let reduces = [1, 2, 4]
        let windows: [(x: Int, y: Int, r: Int)] = (0..<40).map { (i: Int) -> (x: Int, y: Int, r: Int) in
            let x: Int = (i * 37) % 280 - 20, y: Int = (i * 53) % 180 - 10
            return (x: x, y: y, r: reduces[i % 3])
        }
        let results = Mutex([Int: [UInt8]]())
        DispatchQueue.concurrentPerform(iterations: windows.count) { i in
            let w = windows[i]
            let got = try? reader.readWindow(x: w.x, y: w.y, width: 64, height: 48, reduce: w.r, threads: 2)
            results.withLock { $0[i] = got ?? [] }
        }
        for (i, w) in windows.enumerated() {
            let want = Fixtures.window(img, width: 300, height: 200, x: w.x, y: w.y, w: 64, h: 48, reduce: w.r)
            #expect(results.withLock { $0[i] } == want, "window \(i)")
        }
    }

    @Test func reducedBlocksStraddlingTilesMatchTheFixture() throws {
        let dir = try TemporaryDirectory("straddle")
        defer { dir.remove() }
        let (path, img) = try Self.file(dir, options: .init(compression: .deflate, tileSize: 16))
        let reader = try TiffReader(path: path)
        for (x, y, r, threads) in [(-7, -5, 3, 2), (1, 2, 5, 3), (-2, 9, 17, 2), (5, 0, 3, 1)] {
            let got = try reader.readWindow(x: x, y: y, width: 34 * r / 2 * 2, height: 10 * r, reduce: r, threads: threads)
            #expect(got == Fixtures.window(img, width: 300, height: 200, x: x, y: y, w: 34 * r / 2 * 2, h: 10 * r, reduce: r),
                    "\(x),\(y) /\(r)")
        }
    }

    @Test func largeReducedWindowsSpanSeveralBandsAndStripsReadPartially() throws {
        let dir = try TemporaryDirectory("bands")
        defer { dir.remove() }
        // one strip holding the whole image: windows decode only up to their last row
        let (path, img) = try Self.file(dir, options: .init(compression: .lzw, tiled: false, rowsPerStrip: 200), width: 3000, height: 200)
        let reader = try TiffReader(path: path)
        #expect(!reader.info.tiled && reader.info.levels[0].chunkHeight == 200)
        let got = try reader.readWindow(x: 1000, y: 20, width: 1200, height: 60, reduce: 3)
        #expect(got == Fixtures.window(img, width: 3000, height: 200, x: 1000, y: 20, w: 1200, h: 60, reduce: 3))
        var buffer = [UInt8](repeating: 7, count: 400 * 20 * 3 + 5)
        try buffer.withUnsafeMutableBufferPointer {
            try reader.readWindow(x: 1000, y: 20, width: 1200, height: 60, reduce: 3, threads: 1, into: $0)
        }
        #expect(Array(buffer.prefix(got.count)) == got && buffer.last == 7)
    }

    @Test func invalidWindowsAreRefused() throws {
        let dir = try TemporaryDirectory("bad")
        defer { dir.remove() }
        let (path, _) = try Self.file(dir, options: .init(compression: .none, tileSize: 64))
        let reader = try TiffReader(path: path)
        #expect(throws: ImagingError.self) { try reader.readWindow(x: 0, y: 0, width: 30, height: 32, reduce: 4) }
        #expect(throws: ImagingError.self) { try reader.readWindow(x: 0, y: 0, width: 0, height: 32) }
        #expect(throws: ImagingError.self) { try TiffReader(path: path, level: 3) }
        // entirely outside: all zeros
        #expect(try reader.readWindow(x: 400, y: -100, width: 16, height: 16).allSatisfy { $0 == 0 })
    }
}
