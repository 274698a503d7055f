import Foundation
import Imaging
import NeuralNet
import PipeStages
import TestSupport

/// logits = a * (first channel) + b * (second channel) + c, pixel by pixel:
/// equivariant under every flip and rotation, so TTA must change nothing.
struct PixelModel: SegmentationNetwork {
    var a: Float = 0.8, b: Float = -0.5, c: Float = 0.1

    func logits(_ images: Tensor) throws -> Tensor {
        let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        var y = Tensor(shape: [n, 1, h, w])
        for i in 0..<n {
            for p in 0..<(h * w) {
                y.storage[i * h * w + p] = a * images.storage[(i * 3) * h * w + p] + b * images.storage[(i * 3 + 1) * h * w + p] + c
            }
        }
        return y
    }
}

/// The same logit everywhere.
struct ConstantModel: SegmentationNetwork {
    var value: Float

    func logits(_ images: Tensor) throws -> Tensor {
        Tensor(shape: [images.shape[0], 1, images.shape[2], images.shape[3]], repeating: value)
    }
}

/// A seeded RGB image with structure at every scale, written as a tiled TIFF.
struct TestImage {
    let width: Int
    let height: Int
    let pixels: [UInt8]

    init(width: Int, height: Int, seed: UInt64 = 1, value: UInt8? = nil) {
        self.width = width
        self.height = height
        var random = SeededRandom(seed: seed)
        pixels = (0..<(width * height * 3)).map { i in
            if let value { return value }
            let x = (i / 3) % width, y = (i / 3) / width
            return UInt8((x * 7 + y * 3 + (i % 3) * 40) % 200) &+ UInt8(random.next() % 50)
        }
    }

    @discardableResult
    func write(_ url: URL) throws -> String {
        let options = TiffWriteOptions(compression: .deflate, tileSize: 16)
        let writer = try TiffWriter(path: url.path, width: width, height: height, channels: 3, options: options)
        var top = 0
        while top < height {
            let rows = min(options.bandRows, height - top)
            try pixels.withUnsafeBufferPointer { (b) throws(ImagingError) in
                try writer.write(band: UnsafeBufferPointer(rebasing: b[(top * width * 3)..<((top + rows) * width * 3)]), rows: rows)
            }
            top += rows
        }
        try writer.finish()
        return url.path
    }
}

/// Runs `predictor` on `path` and collects the map, checking the bands come in order.
func predictMap(_ predictor: SlidingWindowPredictor, _ path: String) throws -> (map: [UInt8], report: InferenceReport) {
    var map: [UInt8] = []
    var expectedRow = 0
    let report = try predictor.run(image: path, progress: nil) { first, rows, values in
        precondition(first == expectedRow && rows <= predictor.options.bandRows, "bands out of order")
        expectedRow += rows
        map.append(contentsOf: values)
    }
    return (map, report)
}

func ensemble(_ models: [any SegmentationNetwork], size: Int = 32, reduce: Int = 1) -> FoldEnsemble {
    FoldEnsemble(models: models, size: size, reduce: reduce, mean: [120, 110, 100], std: [60, 50, 40])
}
