import Foundation
import Imaging
import NeuralNet

/// What one prediction did, for metrics and tests.
public struct InferenceReport: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Windows run through the models, and windows without tissue that predicted 0 without them.
    public var windowsPredicted: Int
    public var windowsSkipped: Int
    /// The most reduced-resolution rows held at once (at most one window's height).
    public var peakBandRows: Int
    /// Mean of the full-resolution probability map, 0...1.
    public var meanProbability: Double
}

/// Predicts a whole-slide TIFF window by window with a `FoldEnsemble`.
///
/// Windows of `window * reduce` full-resolution pixels are read at `reduce`
/// (area average; placed edge-aligned, see `WindowAxis`: only an image
/// smaller than a window reads zeros past its edge), normalised
/// `(x - mean) / std`, run through every TTA transform and fold model
/// (inverted, then averaged as `options.average` says), and blended into the
/// reduced probability map (`options.blend`). That map is upsampled to full
/// resolution (bilinear, `align_corners=false`, by exactly `reduce`) and
/// handed on in bands. Memory is bounded by the windows in flight: only the
/// reduced rows that windows still touch are kept, never the whole image.
public struct SlidingWindowPredictor {
    public let ensemble: FoldEnsemble
    public let options: InferenceOptions

    public init(ensemble: FoldEnsemble, options: InferenceOptions) {
        self.ensemble = ensemble
        self.options = options
    }

    /// Window side in model pixels: the option, else the models' tile size.
    public var window: Int { options.window ?? ensemble.size }

    /// Predicts the TIFF at `path` and hands the full-resolution probability map (0...255) to `sink` in top-to-bottom bands of whole rows.
    @discardableResult
    public func predict(image path: String, progress: ProgressHandler?,
                        sink: (_ firstRow: Int, _ rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) throws -> Void) throws
        -> (width: Int, height: Int) {
        let report = try run(image: path, progress: progress, sink: sink)
        return (report.width, report.height)
    }

    /// As `predict`, returning what the prediction did.
    public func run(image path: String, progress: ProgressHandler?,
                    sink: (_ firstRow: Int, _ rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) throws -> Void) throws
        -> InferenceReport {
        let side = window
        try options.validate(window: side)
        let reader: TiffReader
        do { reader = try TiffReader(path: path) } catch { throw StageError(error.description) }
        let reduce = ensemble.reduce
        let (width, height) = (reader.width, reader.height)
        let (reducedWidth, reducedHeight) = ((width + reduce - 1) / reduce, (height + reduce - 1) / reduce)
        // A header's size is checked before rows of it are allocated: the blend band holds a
        // window's height of reduced rows (value and weight), the upsampler `bandRows` full rows.
        do {
            _ = try ImageLimits.pixels(width, height, field: "image size", path: path)
            _ = try ImageLimits.bytes(reducedWidth, side, 8, field: "probability rows of a \(width)-pixel-wide image", path: path)
            _ = try ImageLimits.bytes(width, options.bandRows, 5, field: "output rows of a \(width)-pixel-wide image", path: path)
        } catch { throw StageError(error.description) }
        let xs = WindowAxis(length: reducedWidth, window: side, overlap: options.overlap, blend: options.blend)
        let ys = WindowAxis(length: reducedHeight, window: side, overlap: options.overlap, blend: options.blend)
        var band = BlendBand(width: reducedWidth)
        var upsampler = BandUpsampler(width: width, height: height, reducedWidth: reducedWidth, reducedHeight: reducedHeight,
                                      reduce: reduce, bandRows: options.bandRows)
        let source = WindowSource(reader: reader, side: side, reduce: reduce, threads: options.threads,
                                  filter: options.skipEmpty ? TileFilter(minPixels: TileFilter.defaultMinPixels(size: side)) : nil)
        let name = (path as NSString).lastPathComponent
        var predicted = 0
        try Compute.$current.withValue(Compute(threads: options.threads)) {
            for j in ys.starts.indices {
                for first in stride(from: 0, to: xs.starts.count, by: options.batch) {
                    let columns = first..<min(first + options.batch, xs.starts.count)
                    predicted += try addWindows(columns, row: j, xs: xs, ys: ys, source: source, into: &band)
                }
                try band.release(above: ys.settled(after: j)) { index, row in try upsampler.push(index, row, sink: sink) }
                progress?(Double(j + 1) / Double(ys.starts.count), "predicting \(name)")
            }
        }
        let windows = xs.starts.count * ys.starts.count
        precondition(upsampler.finished, "every row of \(name) must have been emitted")
        return InferenceReport(width: width, height: height, windowsPredicted: predicted, windowsSkipped: windows - predicted,
                               peakBandRows: band.peakRows,
                               meanProbability: Double(upsampler.total) / (255 * Double(width) * Double(height)))
    }

    /// Reads, predicts and blends the windows `columns` of window row `row`; returns how many ran the models.
    private func addWindows(_ columns: Range<Int>, row: Int, xs: WindowAxis, ys: WindowAxis, source: WindowSource,
                            into band: inout BlendBand) throws -> Int {
        let side = source.side, y = ys.starts[row]
        let windows = try source.read(xs: columns.map { xs.starts[$0] }, y: y)
        let probabilities = try predict(windows.compactMap { $0 }, side: side)
        var next = 0
        probabilities.withUnsafeBufferPointer { all in
            for (column, window) in zip(columns, windows) {
                var values: UnsafeBufferPointer<Float>? = nil
                if window != nil {
                    values = UnsafeBufferPointer(rebasing: all[(next * side * side)..<((next + 1) * side * side)])
                    next += 1
                }
                band.add(values, x: xs.starts[column], y: y, side: side, height: ys.length, wx: xs.weights[column], wy: ys.weights[row])
            }
        }
        return next
    }

    /// Probabilities of the windows (interleaved RGB), `side * side` values each, in order.
    private func predict(_ windows: [[UInt8]], side: Int) throws -> [Float] {
        guard !windows.isEmpty else { return [] }
        let images = ensemble.normalise(windows, side: side)
        do {
            return try ensemble.probabilities(images, tta: options.tta, average: options.average).storage
        } catch let error as NeuralNetError {
            throw StageError("window \(side) x \(side) does not suit the model: \(error.message)")
        }
    }
}
