import Foundation
import Imaging

/// The large synthetic test image the imaging and tiling benchmarks share.
enum BenchImage {
    static let seed: UInt64 = 42

    /// Renders a synthetic section of `side` x `side` to a 512-tiled JPEG TIFF, bands in parallel.
    static func make(file: String, side: Int, threads: Int) throws {
        print("creating \(file) (\(side) x \(side), JPEG q90, 512 tiles)...")
        let start = Date()
        let options = TiffWriteOptions(compression: .jpeg, jpegQuality: 90, tileSize: 512)
        let renderer = SceneRenderer.synthetic(side: side, seed: seed)
        let writer = try TiffWriter(path: file, width: side, height: side, channels: 3, options: options)
        var y = 0
        while y < side {
            let tops = (0..<threads).map { y + $0 * 512 }.filter { $0 < side }
            let bands = SceneRenderer.bands(renderer, tops: tops, rows: 512, height: side)
            for (top, band) in zip(tops, bands) {
                try band.withUnsafeBufferPointer { try writer.write(band: $0, rows: min(512, side - top)) }
            }
            y += tops.count * 512
        }
        try writer.finish()
        print(String(format: "created in %.1f s", Date().timeIntervalSince(start)))
    }

    /// The Kaggle RLE of the glomeruli in the image `make` renders.
    static func maskRLE(side: Int) -> String { SceneRenderer.synthetic(side: side, seed: seed).maskRLE }
}
