import Foundation
import Imaging

/// Writes a prediction to disk as it streams: the probability TIFF band by
/// band, and a small preview of the image with the probability in red over it.
public enum InferenceOutput {
    /// Predicts `image` into `tiff` (tiled 512, deflate, uint8 probability x 255) and, when
    /// `preview` is given, a PNG whose longest side is at most `previewSide`. The TIFF is written
    /// beside `tiff` and renamed into place when complete: a failure leaves no partial file.
    public static func write(image: String, predictor: SlidingWindowPredictor, tiff: String, preview: String?,
                             previewSide: Int = 512, progress: ProgressHandler?) throws -> InferenceReport {
        let partial = tiff + ".partial"
        do {
            let report = try write(image: image, predictor: predictor, partial: partial, preview: preview,
                                   previewSide: previewSide, progress: progress)
            guard rename(partial, tiff) == 0 else { throw StageError("cannot write '\(tiff)': \(String(cString: strerror(errno)))") }
            return report
        } catch {
            unlink(partial)
            throw error
        }
    }

    private static func write(image: String, predictor: SlidingWindowPredictor, partial tiff: String, preview: String?,
                              previewSide: Int, progress: ProgressHandler?) throws -> InferenceReport {
        let reader: TiffReader
        do { reader = try TiffReader(path: image) } catch { throw StageError("\(error)") }
        let (width, height) = (reader.width, reader.height)
        var options = predictor.options
        let tiffOptions = TiffWriteOptions(compression: .deflate, tileSize: 512)
        options.bandRows = tiffOptions.bandRows
        do { _ = try ImageLimits.pixels(width, height, field: "image size", path: image) } catch { throw StageError(error.description) }
        let writer: TiffWriter
        do { writer = try TiffWriter(path: tiff, width: width, height: height, channels: 1, options: tiffOptions) } catch {
            throw StageError(error.description)
        }
        var sampler = PreviewSampler(width: width, height: height, longestSide: previewSide)
        let report = try SlidingWindowPredictor(ensemble: predictor.ensemble, options: options).run(image: image, progress: progress) {
            first, rows, probabilities in
            do { try writer.write(band: probabilities, rows: rows) } catch { throw StageError("\(error)") }
            sampler.take(first: first, rows: rows, probabilities)
        }
        do { try writer.finish() } catch { throw StageError("\(error)") }
        if let preview { try sampler.write(preview, image: reader) }
        return report
    }
}

/// Samples the probability map at the preview's pixel centres as bands pass.
struct PreviewSampler {
    let factor: Int
    let width: Int
    let height: Int
    let previewWidth: Int
    let previewHeight: Int
    private(set) var values: [UInt8]

    init(width: Int, height: Int, longestSide: Int) {
        factor = max(1, (max(width, height) + longestSide - 1) / longestSide)
        self.width = width
        self.height = height
        previewWidth = max(1, (width + factor - 1) / factor)
        previewHeight = max(1, (height + factor - 1) / factor)
        values = [UInt8](repeating: 0, count: previewWidth * previewHeight)
    }

    mutating func take(first: Int, rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) {
        for py in 0..<previewHeight {
            let y = min(py * factor + factor / 2, height - 1)
            guard y >= first && y < first + rows else { continue }
            for px in 0..<previewWidth {
                values[py * previewWidth + px] = probabilities[(y - first) * width + min(px * factor + factor / 2, width - 1)]
            }
        }
    }

    /// The image at the preview's scale with the probability mixed in as red.
    func write(_ path: String, image reader: TiffReader) throws {
        let rgb: [UInt8]
        do {
            rgb = try reader.readWindow(x: 0, y: 0, width: previewWidth * factor, height: previewHeight * factor, reduce: factor)
        } catch { throw StageError("\(error)") }
        var pixels = rgb
        for i in 0..<values.count {
            let p = Float(values[i]) / 255 * 0.6
            pixels[i * 3] = UInt8((Float(rgb[i * 3]) * (1 - p) + 255 * p).rounded())
            pixels[i * 3 + 1] = UInt8((Float(rgb[i * 3 + 1]) * (1 - p)).rounded())
            pixels[i * 3 + 2] = UInt8((Float(rgb[i * 3 + 2]) * (1 - p)).rounded())
        }
        do { try PNGFile.write(PixelImage(width: previewWidth, height: previewHeight, channels: 3, pixels: pixels), path: path) } catch {
            throw StageError(error.description)
        }
    }
}
