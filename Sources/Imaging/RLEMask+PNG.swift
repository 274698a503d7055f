extension RLEMask {
    /// Writes the mask as a one-channel PNG (0 outside, `value` inside),
    /// rasterising `bandRows` rows at a time so a huge mask never sits whole in memory.
    public func writePNG(path: String, value: UInt8 = 255, bandRows: Int = 256) throws(ImagingError) {
        let band = max(1, bandRows)
        var rows: [UInt8] = [], bandTop = -1
        try PNGFile.write(path: path, width: width, height: height, channels: 1) { y, row in
            if bandTop < 0 || y >= bandTop + band {
                bandTop = y
                rows = window(x: 0, y: y, width: width, height: min(band, height - y), value: value)
            }
            for i in 0..<width { row[i] = rows[(y - bandTop) * width + i] }
        }
    }
}
