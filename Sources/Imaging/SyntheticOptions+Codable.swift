/// Decoding with defaults: a spec names only what it changes (`{images: 6, side: 4096, seed: 1}`);
/// unknown keys are the spec layer's business.
extension SyntheticKidneyOptions {
    enum CodingKeys: String, CodingKey {
        case images, side, seed, labels, testImages, glomeruliPerMegapixel, tiff, variants
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SyntheticKidneyOptions()
        self.init(images: try c.decodeIfPresent(Int.self, forKey: .images) ?? d.images,
                  side: try c.decodeIfPresent(Int.self, forKey: .side) ?? d.side,
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed,
                  labels: try c.decodeIfPresent(Bool.self, forKey: .labels) ?? d.labels,
                  testImages: try c.decodeIfPresent(Int.self, forKey: .testImages) ?? d.testImages,
                  glomeruliPerMegapixel: try c.decodeIfPresent(Double.self, forKey: .glomeruliPerMegapixel) ?? d.glomeruliPerMegapixel,
                  tiff: try c.decodeIfPresent(TiffWriteOptions.self, forKey: .tiff) ?? d.tiff,
                  variants: try c.decodeIfPresent([TiffWriteOptions].self, forKey: .variants) ?? d.variants)
    }
}

extension SyntheticExternalOptions {
    enum CodingKeys: String, CodingKey { case tiles, side, seed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SyntheticExternalOptions()
        self.init(tiles: try c.decodeIfPresent(Int.self, forKey: .tiles) ?? d.tiles,
                  side: try c.decodeIfPresent(Int.self, forKey: .side) ?? d.side,
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed)
    }
}

extension TiffWriteOptions {
    enum CodingKeys: String, CodingKey {
        case compression, jpegQuality, predictor, tiled, tileSize, rowsPerStrip, layout, bigTIFF, pyramidLevels
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TiffWriteOptions()
        self.init(compression: try c.decodeIfPresent(TiffCompression.self, forKey: .compression) ?? d.compression,
                  jpegQuality: try c.decodeIfPresent(Int.self, forKey: .jpegQuality) ?? d.jpegQuality,
                  predictor: try c.decodeIfPresent(Bool.self, forKey: .predictor) ?? d.predictor,
                  tiled: try c.decodeIfPresent(Bool.self, forKey: .tiled) ?? d.tiled,
                  tileSize: try c.decodeIfPresent(Int.self, forKey: .tileSize) ?? d.tileSize,
                  rowsPerStrip: try c.decodeIfPresent(Int.self, forKey: .rowsPerStrip) ?? d.rowsPerStrip,
                  layout: try c.decodeIfPresent(TiffLayout.self, forKey: .layout) ?? d.layout,
                  bigTIFF: try c.decodeIfPresent(Bool.self, forKey: .bigTIFF) ?? d.bigTIFF,
                  pyramidLevels: try c.decodeIfPresent(Int.self, forKey: .pyramidLevels) ?? d.pyramidLevels)
    }
}
