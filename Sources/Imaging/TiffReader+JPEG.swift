import CTIFF

extension TiffReader {
    /// Decodes the JPEG tile or strip at (`x`, `y`) with libjpeg-turbo into `buffer` as RGB rows of
    /// `chunkWidth` pixels (at least `rows` of them, at most a whole tile or strip): for files whose
    /// tag says RGB but whose stream carries a JFIF marker (YCbCr), which libtiff would return
    /// unconverted, or refuse when subsampled.
    func decodeJFIF(_ h: TiffHandle, x: Int, y: Int, rows: Int, buffer: UnsafeMutablePointer<UInt8>) throws(ImagingError) {
        let lv = plan.level
        let index = lv.tiled ? TIFFComputeTile(h.tiff, UInt32(x), UInt32(y), 0, 0) : TIFFComputeStrip(h.tiff, UInt32(y), 0)
        let raw = try h.rawChunk(index, tiled: lv.tiled, limit: 1 << 26)   // no real JPEG tile is larger
        let capacity = lv.chunkWidth * lv.chunkHeight * 3   // the chunk buffer holds a whole tile or strip
        let header = try JPEGCodec.header(raw, tables: plan.jpegTables, path: h.path)
        guard header.width == lv.chunkWidth, (rows...lv.chunkHeight).contains(header.height), header.components == 3 else {
            throw ImagingError(.corrupt, "JPEG \(lv.tiled ? "tile" : "strip") \(index) is \(header.width) x \(header.height) with \(header.components) components; the directory says \(lv.chunkWidth) x \(rows) RGB", path: h.path)
        }
        try JPEGCodec.decode(raw, tables: plan.jpegTables, forceRGB: false, components: 3, into: buffer,
                             capacity: capacity, path: h.path)
    }
}
