import Foundation

/// One output pixel's bilinear taps: `(1 - t) * in[i0] + t * in[i1]`.
struct BilinearTap: Equatable {
    var i0: Int
    var i1: Int
    var t: Float

    /// The taps of `output` pixels scaling `input` pixels up by exactly
    /// `scale`, with `align_corners=false` (PyTorch's and OpenCV's convention:
    /// source = (x + 0.5) / scale - 0.5, clamped at the edges).
    static func taps(input: Int, output: Int, scale: Int) -> [BilinearTap] {
        (0..<output).map { x in
            let source = max(0, (Float(x) + 0.5) / Float(scale) - 0.5)
            let i0 = min(Int(source), input - 1)
            return BilinearTap(i0: i0, i1: min(i0 + 1, input - 1), t: i0 == input - 1 ? 0 : source - Float(i0))
        }
    }
}

/// Turns the reduced probability map, arriving a row at a time from the top,
/// into full-resolution uint8 rows (probability x 255, rounded) by bilinear
/// upsampling, and hands them on in bands of `bandRows` rows. Holds two
/// reduced rows and one band.
struct BandUpsampler {
    let width: Int
    let height: Int
    let bandRows: Int
    private let columns: [BilinearTap]
    private let rowTaps: [BilinearTap]
    /// The last two reduced rows received, upsampled horizontally, by index.
    private var recent: [(index: Int, row: [Float])] = []
    private var nextRow = 0
    private var band: [UInt8]
    private var bandStart = 0
    private(set) var total = 0

    init(width: Int, height: Int, reducedWidth: Int, reducedHeight: Int, reduce: Int, bandRows: Int) {
        self.width = width
        self.height = height
        self.bandRows = bandRows
        columns = BilinearTap.taps(input: reducedWidth, output: width, scale: reduce)
        rowTaps = BilinearTap.taps(input: reducedHeight, output: height, scale: reduce)
        band = [UInt8](repeating: 0, count: min(bandRows, height) * width)
    }

    /// Takes reduced row `index` (the next one) and emits every full-resolution row it completes.
    mutating func push(_ index: Int, _ reduced: [Float],
                       sink: (_ firstRow: Int, _ rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var row = [Float](repeating: 0, count: width)
        for x in 0..<width {
            let tap = columns[x]
            row[x] = (1 - tap.t) * reduced[tap.i0] + tap.t * reduced[tap.i1]
        }
        recent.append((index, row))
        if recent.count > 2 { recent.removeFirst() }
        while nextRow < height, rowTaps[nextRow].i1 <= index {
            try emit(rowTaps[nextRow], sink: sink)
        }
    }

    private mutating func emit(_ tap: BilinearTap,
                               sink: (_ firstRow: Int, _ rows: Int, _ probabilities: UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let upper = recent.first(where: { $0.index == tap.i0 })?.row,
              let lower = recent.first(where: { $0.index == tap.i1 })?.row else {
            preconditionFailure("reduced rows \(tap.i0) and \(tap.i1) must be the last two received")
        }
        let offset = (nextRow - bandStart) * width
        for x in 0..<width {
            let p = (1 - tap.t) * upper[x] + tap.t * lower[x]
            let value = UInt8(max(0, min(255, (p * 255).rounded())))
            band[offset + x] = value
            total += Int(value)
        }
        nextRow += 1
        if nextRow - bandStart == bandRows || nextRow == height {
            let rows = nextRow - bandStart
            try band.withUnsafeBufferPointer { try sink(bandStart, rows, UnsafeBufferPointer(rebasing: $0[0..<(rows * width)])) }
            bandStart = nextRow
        }
    }

    /// True once every full-resolution row has been handed on.
    var finished: Bool { nextRow == height }
}
