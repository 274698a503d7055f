/// The tissue filter of the common HuBMAP recipe: a tile is kept when more
/// than `minPixels` of its pixels have HSV saturation above `saturation`, and
/// the sum of all its channel values is above `minPixels` too (white
/// background and black padding both fail).
public struct TileFilter: Sendable, Equatable {
    public var saturation: Int
    public var minPixels: Int

    public init(saturation: Int = 40, minPixels: Int) {
        self.saturation = saturation
        self.minPixels = minPixels
    }

    /// The recipe's default threshold: `1000 * (size / 256)^2`.
    public static func defaultMinPixels(size: Int) -> Int { 1000 * size * size / (256 * 256) }

    /// Saturation of one pixel on OpenCV's uint8 scale: `255 * (max - min) / max`,
    /// rounded half up; 0 for black.
    @inlinable
    public static func saturation(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let high = Int(max(r, g, b)), low = Int(min(r, g, b))
        guard high > 0 else { return 0 }
        return (255 * (high - low) + high / 2) / high
    }

    /// The tile's saturated-pixel count and channel sum, and whether it passes.
    public func evaluate(_ rgb: UnsafeBufferPointer<UInt8>) -> (saturated: Int, sum: Int, keep: Bool) {
        var saturated = 0, sum = 0
        var index = 0
        while index + 2 < rgb.count {
            let r = rgb[index], g = rgb[index + 1], b = rgb[index + 2]
            sum += Int(r) + Int(g) + Int(b)
            // saturation(r, g, b) > saturation without the division: floor(a / h) > s  <=>  a >= (s + 1) * h
            let high = Int(max(r, g, b)), low = Int(min(r, g, b))
            if high == 0 ? 0 > saturation : 255 * (high - low) + high / 2 >= (saturation + 1) * high { saturated += 1 }
            index += 3
        }
        return (saturated, sum, saturated > minPixels && sum > minPixels)
    }
}
