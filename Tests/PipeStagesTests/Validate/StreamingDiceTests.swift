import Imaging
@testable import PipeStages
import TestSupport
import Testing

/// A random blobby mask and a probability map correlated with it.
func syntheticPair(width: Int, height: Int, seed: UInt64) -> (probabilities: [UInt8], truth: [UInt8]) {
    var rng = SeededRandom(seed: seed)
    var truth = [UInt8](repeating: 0, count: width * height), probabilities = truth
    let centres = (0..<4).map { _ in (Int(rng.next() % UInt64(width)), Int(rng.next() % UInt64(height)), 3 + Int(rng.next() % 6)) }
    for y in 0..<height {
        for x in 0..<width {
            let inside = centres.contains { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) < $0.2 * $0.2 }
            truth[y * width + x] = inside ? 1 : 0
            probabilities[y * width + x] = UInt8(truncatingIfNeeded: (inside ? 150 : 0) + Int(rng.next() % 106))
        }
    }
    return (probabilities, truth)
}

@Test func streamingImageDiceEqualsTheWholeArray() throws {
    let width = 37, height = 53
    let (probabilities, truth) = syntheticPair(width: width, height: height, seed: 7)
    var whole = DiceHistogram()
    whole.add(probabilities: probabilities, truth: truth)
    let mask = RLEEncoder.encode(truth, width: width, height: height)
    var streaming = StreamingDice(truth: .rle(mask), thumbnailSide: 10)
    var top = 0
    for rows in [1, 7, 3, 13, 2, 27] {   // bands of different heights, 53 rows in all
        try probabilities.withUnsafeBufferPointer { all in
            try streaming.add(firstRow: top, rows: rows, UnsafeBufferPointer(rebasing: all[(top * width)..<((top + rows) * width)]))
        }
        top += rows
    }
    #expect(streaming.isComplete)
    #expect(streaming.histogram == whole)
    for t in DiceSweep.defaultThresholds { #expect(streaming.histogram.dice(threshold: t) == whole.dice(threshold: t)) }
    let f = streaming.prediction.factor
    #expect(f == 6 && streaming.prediction.width == 7 && streaming.prediction.height == 9)
    for ty in 0..<streaming.prediction.height {
        for tx in 0..<streaming.prediction.width {
            #expect(streaming.prediction.pixels[ty * 7 + tx] == probabilities[ty * f * width + tx * f])
            #expect(streaming.truthThumbnail.pixels[ty * 7 + tx] == truth[ty * f * width + tx * f])
        }
    }
}

@Test func aBandOutOfOrderIsAnError() throws {
    var streaming = StreamingDice(truth: .rle(RLEMask(width: 4, height: 4)))
    let band = [UInt8](repeating: 0, count: 8)
    let error = #expect(throws: StageError.self) {
        try band.withUnsafeBufferPointer { try streaming.add(firstRow: 2, rows: 2, $0) }
    }
    #expect(error?.message.contains("does not follow row 0") == true)
}

@Test func streamingDiceOverPolygonsEqualsTheirWholeRaster() throws {
    let width = 30, height = 22
    let polygons = [Imaging.Polygon(rings: [[SIMD2(2, 3), SIMD2(17, 1), SIMD2(12, 15), SIMD2(3, 12)]]),
                    Imaging.Polygon(rings: [[SIMD2(20, 10), SIMD2(29, 12), SIMD2(24, 21)]])]
    let truth = PolygonRaster.window(polygons, x: 0, y: 0, width: width, height: height, value: 1)
    let probabilities = syntheticPair(width: width, height: height, seed: 3).probabilities
    var whole = DiceHistogram()
    whole.add(probabilities: probabilities, truth: truth)
    var streaming = StreamingDice(truth: .polygons(polygons, width: width, height: height))
    for (top, rows) in [(0, 5), (5, 9), (14, 8)] {
        try probabilities.withUnsafeBufferPointer { all in
            try streaming.add(firstRow: top, rows: rows, UnsafeBufferPointer(rebasing: all[(top * width)..<((top + rows) * width)]))
        }
    }
    #expect(streaming.histogram == whole && whole.truthArea > 0)
}
