/// How `TiffWriter` lays out a file. Codable so a spec (or a synthetic data option) can carry it.
public struct TiffWriteOptions: Codable, Sendable, Equatable {
    public var compression: TiffCompression
    /// JPEG quality 1...100.
    public var jpegQuality: Int
    /// Horizontal differencing before LZW/deflate.
    public var predictor: Bool
    /// Tiled (`tileSize` square tiles) or striped (`rowsPerStrip` rows a strip).
    public var tiled: Bool
    public var tileSize: Int
    public var rowsPerStrip: Int
    public var layout: TiffLayout
    /// nil: BigTIFF only when the file could exceed 4 GB.
    public var bigTIFF: Bool?
    /// Reduced-resolution levels (each half the previous) stored as SubIFDs of the first page.
    public var pyramidLevels: Int

    public init(compression: TiffCompression = .deflate, jpegQuality: Int = 90, predictor: Bool = false,
                tiled: Bool = true, tileSize: Int = 512, rowsPerStrip: Int = 64, layout: TiffLayout = .contiguous,
                bigTIFF: Bool? = nil, pyramidLevels: Int = 0) {
        self.compression = compression
        self.jpegQuality = jpegQuality
        self.predictor = predictor
        self.tiled = tiled
        self.tileSize = tileSize
        self.rowsPerStrip = rowsPerStrip
        self.layout = layout
        self.bigTIFF = bigTIFF
        self.pyramidLevels = pyramidLevels
    }

    /// Rows a band passed to `TiffWriter.write(band:)` must hold (except the last).
    public var bandRows: Int { tiled ? tileSize : rowsPerStrip }
}
