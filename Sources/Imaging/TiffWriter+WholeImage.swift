extension TiffWriter {
    /// Writes an image held whole in memory (`pixels`: rows top to bottom,
    /// `channels` interleaved bytes per pixel) as a TIFF at `path`, band by band.
    public static func write(_ pixels: [UInt8], width: Int, height: Int, channels: Int, path: String,
                             options: TiffWriteOptions = .init()) throws(ImagingError) {
        guard pixels.count == width * height * channels else {
            throw ImagingError(.invalidArgument, "\(pixels.count) bytes are not a \(width) x \(height) image of \(channels) "
                               + "channel(s)", path: path)
        }
        let writer = try TiffWriter(path: path, width: width, height: height, channels: channels, options: options)
        let rowBytes = width * channels
        var top = 0
        while top < height {
            let rows = min(options.bandRows, height - top)
            try pixels.withUnsafeBufferPointer { (all) throws(ImagingError) in
                try writer.write(band: UnsafeBufferPointer(rebasing: all[(top * rowBytes)..<((top + rows) * rowBytes)]), rows: rows)
            }
            top += rows
        }
        try writer.finish()
    }
}
