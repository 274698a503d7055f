import Foundation

/// `.jpg` image files (external tile sets are distributed as JPEG), decoded by libjpeg-turbo with
/// its defaults: YCbCr (JFIF) converted to RGB, gray replicated, CMYK refused.
public enum JPEGFile {
    /// Largest JPEG file read into memory.
    static let maxFileBytes = 1 << 30

    /// Width, height and components (1 gray, 3 colour, 4 CMYK) from the header.
    public static func header(path: String) throws(ImagingError) -> (width: Int, height: Int, components: Int, jfif: Bool) {
        let h = try JPEGCodec.header(try bytes(path), path: path)
        return (h.width, h.height, h.components, h.jfif)
    }

    /// Reads `path` as RGB (`channels: 3`) or gray (`channels: 1`), after checking its size against
    /// `ImageLimits`. Throws naming the file when it is not a decodable JPEG.
    public static func read(path: String, channels: Int = 3) throws(ImagingError) -> PixelImage {
        guard channels == 1 || channels == 3 else {
            throw ImagingError(.invalidArgument, "JPEG can be read as 1 or 3 channels, not \(channels)", path: path)
        }
        let data = try bytes(path)
        let h = try JPEGCodec.header(data, path: path)
        let pixels = try ImageLimits.pixels(h.width, h.height, field: "JPEG header size", path: path)
        let count = try ImageLimits.bytes(pixels, channels, field: "JPEG of \(h.width) x \(h.height) pixels", path: path)
        // every 8 x 8 block of every component costs at least one bit (its DC code), so a file of n bytes
        // holds at most 512 n pixels: a damaged header claiming more is refused before allocating
        guard pixels <= data.count * 512 + (1 << 20) else {
            throw ImagingError(.corrupt, "JPEG header says \(h.width) x \(h.height) pixels, more than this \(data.count)-byte file can hold; the file is damaged", path: path)
        }
        var failure: ImagingError? = nil
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ImagingError) {
                try JPEGCodec.decode(data, forceRGB: false, components: channels, into: buffer.baseAddress!, capacity: count, path: path)
            } catch {
                failure = error
                buffer.initialize(repeating: 0)
            }
            initialized = count
        }
        if let failure { throw failure }
        return PixelImage(width: h.width, height: h.height, channels: channels, pixels: out)
    }

    private static func bytes(_ path: String) throws(ImagingError) -> [UInt8] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
            throw ImagingError(.io, FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file", path: path)
        }
        guard size <= maxFileBytes else {
            throw ImagingError(.tooLarge, "JPEG file of \(size) bytes is over the largest pipe reads, \(maxFileBytes)", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ImagingError(.io, "cannot read file", path: path) }
        return [UInt8](data)
    }
}

/// An image file of the external sets, PNG or JPEG, recognised by its content.
public enum ImageFile {
    /// The extensions an external set's images may have.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads `path` as RGB (3) or gray (1) channels, PNG or JPEG by its first bytes.
    public static func read(path: String, channels: Int) throws(ImagingError) -> PixelImage {
        switch try ImageSummary.format(path) {
        case .png: return try PNGFile.read(path: path, channels: channels)
        case .jpeg: return try JPEGFile.read(path: path, channels: channels)
        case .tiff: throw ImagingError(.unsupported, "a TIFF where a PNG or JPEG image was expected", path: path)
        }
    }
}
