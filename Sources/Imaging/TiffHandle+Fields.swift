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
            reducedResolution: subfile & UInt32(FILETYPE_REDUCEDIMAGE) != 0)
    }

    /// The number of top-level directories (pages), bounded so a looping IFD chain cannot hang us.
    func pageCount() -> Int {
        Int(TIFFNumberOfDirectories(tiff))
    }

    /// True when the file is BigTIFF.
    var isBigTIFF: Bool { TIFFIsBigEndian(tiff) >= 0 && TIFFIsBigTIFF(tiff) != 0 }
}
