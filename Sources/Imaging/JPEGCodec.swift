import CJPEG

/// JPEG decoding through libjpeg-turbo: TIFF tiles pipe decodes itself and `.jpg` image files.
enum JPEGCodec {
    /// What a JPEG stream's header says.
    struct Header: Sendable, Equatable {
        var width: Int
        var height: Int
        /// 1 gray, 3 colour, 4 CMYK.
        var components: Int
        /// A JFIF APP0 marker is present: the three components are YCbCr.
        var jfif: Bool
    }

    /// Reads the header of `data` (after the tables-only stream `tables`, as TIFF JPEGTables are).
    static func header(_ data: [UInt8], tables: [UInt8] = [], path: String) throws(ImagingError) -> Header {
        var info = cjpeg_info()
        try run(data, tables: tables, forceRGB: false, components: 3, into: nil, capacity: 0, info: &info, path: path)
        return Header(width: Int(info.width), height: Int(info.height), components: Int(info.components), jfif: info.jfif != 0)
    }

    /// Decodes `data` into `out` (`capacity` bytes; rows of `width * components`) as RGB
    /// (`components` 3) or gray (1). `forceRGB`: the stream's components are RGB as stored; else
    /// libjpeg-turbo decides from the markers (JFIF and Adobe) and converts YCbCr to RGB, as
    /// tifffile's and libjpeg-turbo's users see it. Returns the header.
    @discardableResult
    static func decode(_ data: [UInt8], tables: [UInt8] = [], forceRGB: Bool, components: Int,
                       into out: UnsafeMutablePointer<UInt8>, capacity: Int, path: String) throws(ImagingError) -> Header {
        var info = cjpeg_info()
        try run(data, tables: tables, forceRGB: forceRGB, components: components, into: out, capacity: capacity, info: &info, path: path)
        return Header(width: Int(info.width), height: Int(info.height), components: Int(info.components), jfif: info.jfif != 0)
    }

    private static func run(_ data: [UInt8], tables: [UInt8], forceRGB: Bool, components: Int,
                            into out: UnsafeMutablePointer<UInt8>?, capacity: Int, info: inout cjpeg_info,
                            path: String) throws(ImagingError) {
        guard !data.isEmpty else {
            throw ImagingError(.corrupt, "empty JPEG data", path: path)
        }
        var message = [CChar](repeating: 0, count: 256)
        let status = tables.withUnsafeBufferPointer { t in
            data.withUnsafeBufferPointer { d in
                cjpeg_decode(t.baseAddress, t.count, d.baseAddress, d.count, forceRGB ? 1 : 0,
                             Int32(components), out, capacity, &info, &message, message.count)
            }
        }
        guard status == 0 else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImagingError(.corrupt, "cannot decode JPEG (\(text.isEmpty ? "corrupt data" : text))", path: path)
        }
    }
}
