import CTIFF

extension TiffWriter {
    /// Sets the tags of the directory about to be written.
    func setFields(width: Int, height: Int, samples: Int, planar: Bool, reduced: Bool) throws(ImagingError) {
        let t = tiff
        let jpeg = options.compression == .jpeg
        let ycbcr = jpeg && samples == 3 && !planar
        var ok = ctiff_set_u32(t, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(width)) == 1
        ok = ok && ctiff_set_u32(t, UInt32(TIFFTAG_IMAGELENGTH), UInt32(height)) == 1
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_BITSPERSAMPLE), 8) == 1
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_SAMPLESPERPIXEL), UInt16(samples)) == 1
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_SAMPLEFORMAT), UInt16(SAMPLEFORMAT_UINT)) == 1
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_PLANARCONFIG), UInt16(planar ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG)) == 1
        let photometric = samples == 1 ? PHOTOMETRIC_MINISBLACK : (ycbcr ? PHOTOMETRIC_YCBCR : PHOTOMETRIC_RGB)
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(photometric)) == 1
        ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_COMPRESSION), options.compression.code) == 1
        if reduced { ok = ok && ctiff_set_u32(t, UInt32(TIFFTAG_SUBFILETYPE), UInt32(FILETYPE_REDUCEDIMAGE)) == 1 }
        if options.tiled {
            ok = ok && ctiff_set_u32(t, UInt32(TIFFTAG_TILEWIDTH), UInt32(options.tileSize)) == 1
            ok = ok && ctiff_set_u32(t, UInt32(TIFFTAG_TILELENGTH), UInt32(options.tileSize)) == 1
        } else {
            ok = ok && ctiff_set_u32(t, UInt32(TIFFTAG_ROWSPERSTRIP), UInt32(options.rowsPerStrip)) == 1
        }
        if options.predictor && (options.compression == .lzw || options.compression == .deflate) {
            ok = ok && ctiff_set_u16(t, UInt32(TIFFTAG_PREDICTOR), UInt16(PREDICTOR_HORIZONTAL)) == 1
        }
        if jpeg {
            ok = ok && ctiff_set_int(t, UInt32(TIFFTAG_JPEGQUALITY), Int32(max(1, min(100, options.jpegQuality)))) == 1
            if ycbcr {
                ok = ok && ctiff_set_u16_pair(t, UInt32(TIFFTAG_YCBCRSUBSAMPLING), 2, 2) == 1
                ok = ok && ctiff_set_int(t, UInt32(TIFFTAG_JPEGCOLORMODE), JPEGCOLORMODE_RGB) == 1
            }
        }
        guard ok else {
            throw ImagingError(.unsupported, "cannot set up a \(options.compression.rawValue) TIFF directory (\(handle.lastError("libtiff refused a tag")))", path: path)
        }
    }

    /// Writes the tiles (or strips) of rows `y..<y+rows`. `channel` nil: all `stride` interleaved
    /// samples; otherwise that channel alone, into TIFF sample plane `sample`.
    func writeChunks(_ src: UnsafePointer<UInt8>, y: Int, rows: Int, width: Int, stride: Int,
                     channel: Int?, sample: UInt16) throws(ImagingError) {
        let spp = channel == nil ? stride : 1
        if !options.tiled {
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * width * spp)
            defer { buffer.deallocate() }
            gather(src, stride: stride, channel: channel, rowWidth: width, x: 0, count: width, rows: rows, into: buffer, outWidth: width)
            let index = TIFFComputeStrip(tiff, UInt32(y), sample)
            try check(TIFFWriteEncodedStrip(tiff, index, buffer, tmsize_t(rows * width * spp)), "strip \(index)")
            return
        }
        let side = options.tileSize
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: side * side * spp)
        defer { buffer.deallocate() }
        for x in Swift.stride(from: 0, to: width, by: side) {
            buffer.initialize(repeating: 0, count: side * side * spp)
            gather(src, stride: stride, channel: channel, rowWidth: width, x: x, count: min(side, width - x), rows: rows,
                   into: buffer, outWidth: side)
            let index = TIFFComputeTile(tiff, UInt32(x), UInt32(y), 0, sample)
            try check(TIFFWriteEncodedTile(tiff, index, buffer, tmsize_t(side * side * spp)), "tile \(index)")
        }
    }

    private func check(_ written: tmsize_t, _ what: String) throws(ImagingError) {
        guard written >= 0 else {
            throw ImagingError(.io, "cannot write \(what) (\(handle.lastError("disk full?")))", path: path)
        }
    }

    private func gather(_ src: UnsafePointer<UInt8>, stride: Int, channel: Int?, rowWidth: Int, x: Int, count: Int, rows: Int,
                        into out: UnsafeMutablePointer<UInt8>, outWidth: Int) {
        for r in 0..<rows {
            let s = src + (r * rowWidth + x) * stride
            if let channel {
                let d = out + r * outWidth
                for i in 0..<count { d[i] = s[i * stride + channel] }
            } else {
                (out + r * outWidth * stride).update(from: s, count: count * stride)
            }
        }
    }
}
