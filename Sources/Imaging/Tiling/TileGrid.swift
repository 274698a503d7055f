/// Where the tiles of an image come from (DESIGN §1): the image is padded
/// (centered, zero) to a multiple of `size * reduce`, cut into windows of
/// `size * reduce` full-resolution pixels, and each window is downscaled by
/// `reduce` to a `size` x `size` tile. `stride` below the window gives
/// overlapping windows; `shifted` adds a second grid offset by half a window.
public struct TileGrid: Sendable, Equatable {
    public var imageWidth: Int
    public var imageHeight: Int
    public var size: Int
    public var reduce: Int
    /// Distance between window origins, in full-resolution pixels (= window for no overlap).
    public var stride: Int
    public var shifted: Bool

    public init(imageWidth: Int, imageHeight: Int, size: Int, reduce: Int, overlap: Int = 0, shifted: Bool = false) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.size = size
        self.reduce = reduce
        stride = size * reduce - overlap * reduce
        self.shifted = shifted
    }

    /// Full-resolution side of a window.
    public var window: Int { size * reduce }

    /// Zero padding added before the first column / row (the centered split of the remainder).
    public var padLeft: Int { Self.pad(imageWidth, window) / 2 }
    public var padTop: Int { Self.pad(imageHeight, window) / 2 }
    public var paddedWidth: Int { imageWidth + Self.pad(imageWidth, window) }
    public var paddedHeight: Int { imageHeight + Self.pad(imageHeight, window) }

    static func pad(_ length: Int, _ window: Int) -> Int { (window - length % window) % window }

    /// One window: its origin in image coordinates (may be negative: padding) and its grid.
    public struct Window: Sendable, Hashable {
        public var x: Int
        public var y: Int
        /// 0 for the main grid, 1 for the half-shifted one.
        public var grid: Int
    }

    /// The window origins of one grid row, left to right.
    public func row(at top: Int, grid: Int) -> [Window] {
        let offset = grid == 1 ? window / 2 : 0
        return Swift.stride(from: offset, through: paddedWidth - window, by: stride).map {
            Window(x: $0 - padLeft, y: top, grid: grid)
        }
    }

    /// The tops (image coordinates) of the window rows of a grid, top to bottom.
    public func rowTops(grid: Int) -> [Int] {
        let offset = grid == 1 ? window / 2 : 0
        return Array(Swift.stride(from: offset, through: paddedHeight - window, by: stride)).map { $0 - padTop }
    }

    /// How many windows the grids hold in all.
    public var windowCount: Int {
        grids.reduce(0) { total, g in total + rowTops(grid: g).count * row(at: 0, grid: g).count }
    }

    /// The grids to cut: the main one, and the shifted one when asked for.
    public var grids: [Int] { shifted ? [0, 1] : [0] }
}
