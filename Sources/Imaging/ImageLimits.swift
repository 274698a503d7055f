import Foundation

/// The budget every size read from an image header, an RLE mask or a command-line option is checked
/// against before pipe computes with it or allocates for it, so a damaged or hostile file gets an
/// error naming the file and the field instead of an overflow trap or a giant allocation.
///
/// - `PIPE_MAX_PIXELS` (default 2^32, a 65536 x 65536 image): the most pixels (width x height) an
///   image, mask or window may have, even when it is streamed.
/// - `PIPE_MAX_BYTES` (default 4 GiB): the largest single buffer pipe allocates from such a size
///   (a decoded PNG, a crop window, a mask band).
///
/// Both are read once from the environment; a value that is not a positive integer is ignored.
public enum ImageLimits {
    /// The pixel budget (`PIPE_MAX_PIXELS`).
    public static let maxPixels = environment("PIPE_MAX_PIXELS", default: 1 << 32)
    /// The byte budget for one buffer (`PIPE_MAX_BYTES`).
    public static let maxBytes = environment("PIPE_MAX_BYTES", default: 4 << 30)
    /// The largest side of an image or window: PNG's limit (2^31 - 1), also beyond any TIFF pipe reads.
    public static let maxSide = Int(Int32.max)
    /// Window positions must lie within this distance of the origin (beyond it a window reads only zeros).
    public static let maxOffset = 1 << 32

    /// `width * height` after checking both are 1...`maxSide` and the product is within `maxPixels`;
    /// throws `.tooLarge` (or `.invalidArgument` for a non-positive side) naming `field` and `path`.
    public static func pixels(_ width: Int, _ height: Int, field: String, path: String?) throws(ImagingError) -> Int {
        guard width > 0, height > 0 else {
            throw ImagingError(.invalidArgument, "\(field) \(width) x \(height) must be positive", path: path)
        }
        guard width <= maxSide, height <= maxSide else {
            throw ImagingError(.tooLarge, "\(field) \(width) x \(height) is over the largest side pipe handles, \(maxSide)", path: path)
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= maxPixels else {
            throw ImagingError(.tooLarge, "\(field) \(width) x \(height) is over the budget of \(maxPixels) pixels; raise PIPE_MAX_PIXELS if the image really is that large", path: path)
        }
        return count
    }

    /// The product of `factors` as a byte count, checked for overflow and against `maxBytes`;
    /// throws `.tooLarge` naming `field` and `path`.
    public static func bytes(_ factors: Int..., field: String, path: String?) throws(ImagingError) -> Int {
        var total = 1
        for factor in factors {
            guard factor >= 0 else {
                throw ImagingError(.invalidArgument, "\(field) has a negative size (\(factors.map(String.init).joined(separator: " x ")))", path: path)
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            guard !overflow else { total = .max; break }
            total = product
        }
        guard total <= maxBytes else {
            let shown = total == .max ? "more than \(Int.max)" : "\(total)"
            throw ImagingError(.tooLarge, "\(field) needs \(shown) bytes, over the budget of \(maxBytes) bytes; raise PIPE_MAX_BYTES if the file really is that large", path: path)
        }
        return total
    }

    /// Checks a window origin: `x` and `y` within `maxOffset` of 0, so later coordinate arithmetic
    /// cannot overflow. Throws `.invalidArgument` naming the option.
    public static func origin(x: Int, y: Int, path: String?) throws(ImagingError) {
        for (name, value) in [("x", x), ("y", y)] where value < -maxOffset || value > maxOffset {
            throw ImagingError(.invalidArgument, "window \(name) \(value) is outside the range -\(maxOffset)...\(maxOffset)", path: path)
        }
    }

    static func environment(_ name: String, default fallback: Int) -> Int {
        guard let text = ProcessInfo.processInfo.environment[name], let value = Int(text), value > 0 else { return fallback }
        return value
    }
}
