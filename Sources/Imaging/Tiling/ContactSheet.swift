/// A preview grid of tiles with their mask outlines drawn in green, so a
/// person sees at a glance what the tiler kept and what the labels look like.
public struct ContactSheet {
    public let columns: Int
    public let cell: Int
    private(set) var pixels: [UInt8]
    private var count = 0
    public let capacity: Int

    /// A sheet of `columns` x `rows` cells of `cell` pixels.
    public init(columns: Int, rows: Int, cell: Int) {
        self.columns = columns
        self.cell = cell
        capacity = columns * rows
        pixels = [UInt8](repeating: 255, count: columns * cell * rows * cell * 3)
    }

    public var isFull: Bool { count >= capacity }
    public var width: Int { columns * cell }
    public var height: Int { (capacity / columns) * cell }

    /// Adds a `size` x `size` tile (nearest-sampled to the cell) with its mask outline.
    public mutating func add(rgb: [UInt8], mask: [UInt8], size: Int) {
        guard !isFull else { return }
        let originX = (count % columns) * cell, originY = (count / columns) * cell
        for y in 0..<cell {
            let sy = y * size / cell
            for x in 0..<cell {
                let sx = x * size / cell
                let target = ((originY + y) * width + originX + x) * 3
                let source = (sy * size + sx)
                if Self.isEdge(mask, size: size, x: sx, y: sy) {
                    pixels[target] = 0; pixels[target + 1] = 220; pixels[target + 2] = 0
                } else {
                    for c in 0..<3 { pixels[target + c] = rgb[source * 3 + c] }
                }
            }
        }
        count += 1
    }

    /// A mask pixel whose right or lower neighbour differs.
    static func isEdge(_ mask: [UInt8], size: Int, x: Int, y: Int) -> Bool {
        let value = mask[y * size + x]
        if x + 1 < size, mask[y * size + x + 1] != value { return true }
        if y + 1 < size, mask[(y + 1) * size + x] != value { return true }
        if x > 0, mask[y * size + x - 1] != value { return true }
        if y > 0, mask[(y - 1) * size + x] != value { return true }
        return false
    }

    /// The sheet as an RGB image, ready for `PNGFile.write`.
    public var image: PixelImage { PixelImage(width: width, height: height, channels: 3, pixels: pixels) }
}
