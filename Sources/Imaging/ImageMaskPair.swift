/// An RGB image and its binary mask (0/1), as the external PNG pairs are read for training.
public struct ImageMaskPair: Sendable {
    public var image: PixelImage
    public var mask: PixelImage

    /// Reads `image` as RGB and `mask` as gray (any non-zero = 1). Throws `.sizeMismatch` naming both
    /// files when their sizes differ.
    public static func load(image: String, mask: String) throws(ImagingError) -> ImageMaskPair {
        let (iw, ih) = try PNGFile.size(path: image)
        let (mw, mh) = try PNGFile.size(path: mask)
        guard iw == mw, ih == mh else {
            throw ImagingError(.sizeMismatch, "mask is \(mw) x \(mh) but image '\(image)' is \(iw) x \(ih); masks must match their images", path: mask)
        }
        var m = try PNGFile.read(path: mask, channels: 1)
        for i in m.pixels.indices where m.pixels[i] != 0 { m.pixels[i] = 1 }
        return ImageMaskPair(image: try PNGFile.read(path: image, channels: 3), mask: m)
    }

    /// Checks an RLE mask against the TIFF it belongs to.
    public static func check(_ mask: RLEMask, against reader: TiffReader) throws(ImagingError) {
        guard mask.width == reader.width, mask.height == reader.height else {
            throw ImagingError(.sizeMismatch, "mask is \(mask.width) x \(mask.height) but the image is \(reader.width) x \(reader.height)", path: reader.path)
        }
    }
}
