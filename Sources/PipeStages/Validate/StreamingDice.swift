import Imaging

/// Scores one full-resolution probability map against its truth mask band
/// by band, as `SlidingWindowPredictor` hands the bands on: each band's truth
/// rows are rasterised from the mask (`MaskSource` windows: train.csv RLE or
/// polygons), counted into a `DiceHistogram`, and both are sampled into
/// thumbnails for the overlay. Memory: one band of truth plus thumbnails.
public struct StreamingDice: Sendable {
    public let truth: MaskSource
    public private(set) var histogram = DiceHistogram()
    /// Probability bytes and truth (0/1) at thumbnail resolution.
    public private(set) var prediction: BandThumbnail
    public private(set) var truthThumbnail: BandThumbnail
    public private(set) var rowsSeen = 0

    public init(truth: MaskSource, thumbnailSide: Int = 1024) {
        self.truth = truth
        let (width, height) = truth.size
        prediction = BandThumbnail(width: width, height: height, side: thumbnailSide)
        truthThumbnail = prediction
    }

    public var width: Int { truth.size.width }
    public var height: Int { truth.size.height }

    /// Adds the band of rows `firstRow ..< firstRow + rows` (`rows * width` probability bytes).
    /// Bands must arrive top to bottom without gaps.
    public mutating func add(firstRow: Int, rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) throws {
        guard firstRow == rowsSeen, rows > 0, firstRow + rows <= height, probabilities.count >= rows * width else {
            throw StageError("prediction band of rows \(firstRow)..<\(firstRow + rows) does not follow row \(rowsSeen) of a \(width) x \(height) mask")
        }
        let band = UnsafeBufferPointer(rebasing: probabilities[0..<(rows * width)])
        let rowsOfTruth = truth.window(x: 0, y: firstRow, width: width, height: rows)
        rowsOfTruth.withUnsafeBufferPointer { truthBand in
            histogram.add(probabilities: band, truth: truthBand)
            truthThumbnail.add(firstRow: firstRow, rows: rows, truthBand)
        }
        prediction.add(firstRow: firstRow, rows: rows, band)
        rowsSeen += rows
    }

    /// Whether every row has been added.
    public var isComplete: Bool { rowsSeen == height }
}
