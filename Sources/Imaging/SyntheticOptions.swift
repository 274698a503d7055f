/// Options of the synthetic HuBMAP-like training/test set. Codable so a pipeline spec can carry them;
/// the same options and seed always produce byte-identical files.
public struct SyntheticKidneyOptions: Codable, Sendable, Equatable {
    /// Number of images.
    public var images: Int
    /// Width and height of each image, full resolution (real data: 13k-50k).
    public var side: Int
    public var seed: UInt64
    /// true: a training set (`train/`, `train.csv`, polygon JSON); false: a test set (`test/`,
    /// `sample_submission.csv`).
    public var labels: Bool
    /// Extra unlabelled test images written next to a labelled set (0 for none).
    public var testImages: Int
    /// Glomeruli per megapixel of tissue (real kidney cortex at this scale: roughly 1-2).
    public var glomeruliPerMegapixel: Double
    /// How every TIFF is written, unless `variants` is non-empty.
    public var tiff: TiffWriteOptions
    /// Image i uses `variants[i % count]`: exercises every reader path (layouts, strips, compressions).
    public var variants: [TiffWriteOptions]

    public init(images: Int = 6, side: Int = 4096, seed: UInt64 = 1, labels: Bool = true, testImages: Int = 0,
                glomeruliPerMegapixel: Double = 1.5,
                tiff: TiffWriteOptions = TiffWriteOptions(compression: .jpeg, jpegQuality: 90, tileSize: 512),
                variants: [TiffWriteOptions] = []) {
        self.images = images
        self.side = side
        self.seed = seed
        self.labels = labels
        self.testImages = testImages
        self.glomeruliPerMegapixel = glomeruliPerMegapixel
        self.tiff = tiff
        self.variants = variants
    }

    /// A variant list that covers every layout, tiled and striped, and each compression.
    public static let everyReaderPath: [TiffWriteOptions] = [
        .init(compression: .jpeg, tileSize: 256),
        .init(compression: .deflate, predictor: true, tiled: false, rowsPerStrip: 32, layout: .planar),
        .init(compression: .lzw, tileSize: 128, layout: .pagePerChannel),
        .init(compression: .none, tiled: false, rowsPerStrip: 64, bigTIFF: true),
        .init(compression: .deflate, tileSize: 256, pyramidLevels: 2),
        .init(compression: .lzw, predictor: true, tileSize: 256, layout: .planar),
    ]
}

/// Options of the synthetic "external" set: `tiles` 1024x1024 image/mask PNG pairs, each showing at
/// least one glomerulus (like the hand-labelled external data).
public struct SyntheticExternalOptions: Codable, Sendable, Equatable {
    public var tiles: Int
    public var side: Int
    public var seed: UInt64

    public init(tiles: Int = 48, side: Int = 1024, seed: UInt64 = 3) {
        self.tiles = tiles
        self.side = side
        self.seed = seed
    }
}
