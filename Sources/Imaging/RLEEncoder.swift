import Foundation

/// Builds an `RLEMask` from rows streamed top to bottom (any non-zero byte is set), keeping only the
/// runs of each column, never a byte per pixel: a 40,000 x 40,000 mask encodes in memory proportional
/// to its runs.
public struct RLEEncoder: Sendable {
    public let width: Int
    public let height: Int
    private var openStart: [Int32]
    private var columns: [[Range<Int32>]]
    private var row = 0
    private var previous: [UInt8]

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0 && height < Int(Int32.max), "mask size out of range")
        self.width = width
        self.height = height
        openStart = Array(repeating: -1, count: width)
        columns = Array(repeating: [], count: width)
        previous = Array(repeating: 0, count: width)
    }

    /// Rows appended so far.
    public var rowsAppended: Int { row }

    /// Appends the next row (`width` bytes).
    public mutating func append(row bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count >= width && row < height, "row does not fit the mask")
        let unchanged = previous.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, width) == 0 }
        if unchanged { row += 1; return }   // same bytes, same runs open: nothing starts or ends here
        let y = Int32(row)
        openStart.withUnsafeMutableBufferPointer { open in
            for x in 0..<width {
                let set = bytes[x] != 0
                if set, open[x] < 0 {
                    open[x] = y
                } else if !set, open[x] >= 0 {
                    columns[x].append(open[x]..<y)
                    open[x] = -1
                }
            }
        }
        previous.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: bytes.baseAddress!, count: width) }
        row += 1
    }

    public mutating func append(row bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(row: $0) }
    }

    /// Closes open runs and returns the mask. All `height` rows must have been appended.
    public mutating func finish() -> RLEMask {
        precondition(row == height, "mask incomplete: \(row) of \(height) rows")
        var runs: [Range<Int>] = []
        for x in 0..<width {
            if openStart[x] >= 0 { columns[x].append(openStart[x]..<Int32(height)); openStart[x] = -1 }
            let base = x * height
            for r in columns[x] { runs.append((base + Int(r.lowerBound))..<(base + Int(r.upperBound))) }
            columns[x] = []
        }
        return RLEMask(width: width, height: height, sortedRuns: runs)
    }

    /// Encodes a whole row-major mask held in memory.
    public static func encode(_ mask: [UInt8], width: Int, height: Int) -> RLEMask {
        var encoder = RLEEncoder(width: width, height: height)
        mask.withUnsafeBufferPointer { buf in
            for y in 0..<height { encoder.append(row: UnsafeBufferPointer(rebasing: buf[(y * width)..<((y + 1) * width)])) }
        }
        return encoder.finish()
    }
}
