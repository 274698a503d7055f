import CTIFF

/// The fields of one TIFF directory that decide how its pixels are read.
struct TiffDirectoryFields: Sendable, Equatable {
    var width: Int
    var height: Int
    var samplesPerPixel: Int
    var bitsPerSample: Int
    var sampleFormat: Int
    var photometric: Int
    var planarSeparate: Bool
    var tiled: Bool
    var chunkWidth: Int
    var chunkHeight: Int
    var compression: UInt16
    var predictor: Int
    var extraSamples: Int
    var subIFDs: [UInt64]
    var reducedResolution: Bool
    /// NewSubfileType: bit 0 reduced resolution, bit 1 one page of many, bit 2 transparency mask.
    var subfileType: UInt32 = 0
    /// ImageDescription (scanners name their label, macro and thumbnail images here).
    var description: String = ""
}

extension TiffHandle {
    /// Reads the current directory's fields, refusing values no valid image has.
    func directoryFields() throws(ImagingError) -> TiffDirectoryFields {
        let width = Int(u32(UInt32(TIFFTAG_IMAGEWIDTH)) ?? 0)
        let height = Int(u32(UInt32(TIFFTAG_IMAGELENGTH)) ?? 0)
        guard width > 0, height > 0 else {
            throw ImagingError(.corrupt, "image has no width or height (\(width) x \(height))", path: path)
        }
        let tiled = TIFFIsTiled(tiff) != 0
        var chunkWidth = width, chunkHeight = height
        if tiled {
            chunkWidth = Int(u32(UInt32(TIFFTAG_TILEWIDTH)) ?? 0)
            chunkHeight = Int(u32(UInt32(TIFFTAG_TILELENGTH)) ?? 0)
        } else {
            var rows: UInt32 = 0
            if ctiff_get_u32(tiff, UInt32(TIFFTAG_ROWSPERSTRIP), &rows) == 1 { chunkHeight = min(height, Int(rows)) }
        }
        guard chunkWidth > 0, chunkHeight > 0 else {
            throw ImagingError(.corrupt, "tile or strip size is zero", path: path)
        }
        var count: UInt16 = 0
        var values: UnsafePointer<UInt16>? = nil
        let extra = ctiff_get_u16_array(tiff, UInt32(TIFFTAG_EXTRASAMPLES), &count, &values) == 1 ? Int(count) : 0
        var subCount: UInt16 = 0
        var subValues: UnsafePointer<UInt64>? = nil
        var subIFDs: [UInt64] = []
        if ctiff_get_subifds(tiff, &subCount, &subValues) == 1, let subValues {
            subIFDs = (0..<Int(subCount)).map { subValues[$0] }
        }
        let subfile = u32(UInt32(TIFFTAG_SUBFILETYPE)) ?? 0
        return TiffDirectoryFields(
            width: width, height: height,
            samplesPerPixel: Int(u16Defaulted(UInt32(TIFFTAG_SAMPLESPERPIXEL)) ?? 1),
            bitsPerSample: Int(u16Defaulted(UInt32(TIFFTAG_BITSPERSAMPLE)) ?? 1),
            sampleFormat: Int(u16Defaulted(UInt32(TIFFTAG_SAMPLEFORMAT)) ?? 1),
            photometric: Int(u16(UInt32(TIFFTAG_PHOTOMETRIC)) ?? UInt16(PHOTOMETRIC_MINISBLACK)),
            planarSeparate: u16Defaulted(UInt32(TIFFTAG_PLANARCONFIG)) == UInt16(PLANARCONFIG_SEPARATE),
            tiled: tiled, chunkWidth: chunkWidth, chunkHeight: chunkHeight,
            compression: u16Defaulted(UInt32(TIFFTAG_COMPRESSION)) ?? 1,
            predictor: Int(u16Defaulted(UInt32(TIFFTAG_PREDICTOR)) ?? 1),
            extraSamples: extra, subIFDs: subIFDs,
            reducedResolution: subfile & UInt32(FILETYPE_REDUCEDIMAGE) != 0,
            subfileType: subfile, description: string(UInt32(TIFFTAG_IMAGEDESCRIPTION)).map { String($0.prefix(400)) } ?? "")
    }

    /// An ASCII tag of the current directory.
    func string(_ tag: UInt32) -> String? {
        var value: UnsafePointer<CChar>? = nil
        guard ctiff_get_string(tiff, tag, &value) == 1, let value else { return nil }
        return String(cString: value)
    }

    /// The current directory's colour map: red, green and blue entries one after another
    /// (2^bits each), or nil when it has none.
    func colormap(bits: Int) -> [UInt16]? {
        var r: UnsafePointer<UInt16>? = nil, g: UnsafePointer<UInt16>? = nil, b: UnsafePointer<UInt16>? = nil
        guard bits <= 16, ctiff_get_colormap(tiff, &r, &g, &b) == 1, let r, let g, let b else { return nil }
        let n = 1 << bits
        return Array(UnsafeBufferPointer(start: r, count: n)) + Array(UnsafeBufferPointer(start: g, count: n))
            + Array(UnsafeBufferPointer(start: b, count: n))
    }

    /// Whether tile or strip `strile` is absent from the file: offset or byte count 0, as scanners
    /// and tifffile write empty regions (tifffile reads them as zeros).
    func isAbsent(_ strile: UInt32) -> Bool {
        TIFFGetStrileByteCount(tiff, strile) == 0 || TIFFGetStrileOffset(tiff, strile) == 0
    }

    /// The current directory's JPEGTables (the quantisation and Huffman tables its JPEG tiles share), or [].
    func jpegTables() -> [UInt8] {
        var count: UInt32 = 0
        var bytes: UnsafeRawPointer? = nil
        guard ctiff_get_bytes(tiff, UInt32(TIFFTAG_JPEGTABLES), &count, &bytes) == 1, let bytes, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: Int(count)))
    }

    /// The stored bytes of tile or strip `strile`, at most `limit`.
    func rawChunk(_ strile: UInt32, tiled: Bool, limit: Int) throws(ImagingError) -> [UInt8] {
        let size = Int(min(TIFFGetStrileByteCount(tiff, strile), UInt64(limit)))
        guard size > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: size)
        let read = out.withUnsafeMutableBytes { b in
            tiled ? TIFFReadRawTile(tiff, strile, b.baseAddress, tmsize_t(size)) : TIFFReadRawStrip(tiff, strile, b.baseAddress, tmsize_t(size))
        }
        guard read > 0 else {
            throw ImagingError(.corrupt, "cannot read \(tiled ? "tile" : "strip") \(strile) (\(lastError("truncated file")))", path: path)
        }
        return Array(out.prefix(Int(read)))
    }

    /// The number of top-level directories (pages), bounded so a looping IFD chain cannot hang us.
    func pageCount() -> Int {
        Int(TIFFNumberOfDirectories(tiff))
    }

    /// True when the file is BigTIFF.
    var isBigTIFF: Bool { TIFFIsBigEndian(tiff) >= 0 && TIFFIsBigTIFF(tiff) != 0 }
}
