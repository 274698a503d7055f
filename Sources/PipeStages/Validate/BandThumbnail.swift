/// A small single-channel copy of a full-resolution map that arrives in
/// bands of rows: every `factor`-th pixel of every `factor`-th row (nearest,
/// the top-left of each block, like `MaskReduce.nearest`). Memory is the
/// thumbnail only.
public struct BandThumbnail: Sendable, Equatable {
    public let factor: Int
    /// Full-resolution width of the rows it samples.
    public let sourceWidth: Int
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    /// A thumbnail of a `width` x `height` map whose longest side is at most `side` (factor rounded up).
    public init(width: Int, height: Int, side: Int) {
        let factor = max(1, (max(width, height) + side - 1) / side)
        self.init(width: width, height: height, factor: factor)
    }

    public init(width: Int, height: Int, factor: Int) {
        precondition(width > 0 && height > 0 && factor > 0, "thumbnail of an empty map")
        self.factor = factor
        sourceWidth = width
        self.width = (width + factor - 1) / factor
        self.height = (height + factor - 1) / factor
        pixels = [UInt8](repeating: 0, count: self.width * self.height)
    }

    /// Samples rows `firstRow ..< firstRow + rows` of the map (`rows * sourceWidth` bytes, row-major).
    public mutating func add(firstRow: Int, rows: Int, _ band: UnsafeBufferPointer<UInt8>) {
        precondition(band.count >= rows * sourceWidth, "band is shorter than its rows")
        let first = (firstRow + factor - 1) / factor * factor
        for y in Swift.stride(from: first, to: firstRow + rows, by: factor) {
            let source = (y - firstRow) * sourceWidth, target = (y / factor) * width
            for x in 0..<width { pixels[target + x] = band[source + x * factor] }
        }
    }
}
