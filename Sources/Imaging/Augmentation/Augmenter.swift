/// Applies an `AugmentationPolicy` to tiles: RGB uint8 interleaved (`width * height * 3`, row-major)
/// plus a mask (`width * height`, any values, typically 0/1 or 0/255).
///
/// Geometric transforms move image and mask together (image bilinear, mask nearest, so mask values
/// are never blended); photometric transforms touch only the image. Every random choice comes from
/// the caller's `AugmentationRNG` in a fixed order (see `AugmentationPolicy`), and all arithmetic is
/// IEEE-754 without platform math, so a seed gives the same bytes on any machine and thread count.
/// The value is immutable and `Sendable`: share one across threads, each with its own generator.
public struct Augmenter: Sendable {
    /// The policy applied by `apply`.
    public let policy: AugmentationPolicy

    /// An augmenter for `policy`.
    public init(policy: AugmentationPolicy) {
        self.policy = policy
    }

    /// Applies the policy to one tile in place, drawing every random choice from `rng`.
    ///
    /// The pixel count never changes, but a quarter turn by an odd `k` or a transpose swaps width and
    /// height of a non-square tile: the returned record gives the tile's size afterwards (square
    /// tiles keep their size). Preconditions: `image.count == width * height * 3`,
    /// `mask.count == width * height`, both sides positive.
    @discardableResult
    public func apply(image: inout [UInt8], mask: inout [UInt8], width: Int, height: Int,
                      rng: inout AugmentationRNG) -> AugmentationRecord {
        precondition(width > 0 && height > 0, "augment: empty tile \(width)x\(height)")
        precondition(image.count == width * height * 3, "augment: image has \(image.count) bytes, expected \(width * height * 3)")
        precondition(mask.count == width * height, "augment: mask has \(mask.count) bytes, expected \(width * height)")
        var record = AugmentationRecord(width: width, height: height, applied: [])
        applyDihedral(image: &image, mask: &mask, record: &record, rng: &rng)
        applyWarps(image: &image, mask: &mask, record: &record, rng: &rng)
        applyPhotometric(image: &image, record: &record, rng: &rng)
        return record
    }
}

/// What one `apply` call did: the tile's size afterwards and each transform that fired, with the
/// parameters it drew, in application order. Useful for logs, debugging and tests.
public struct AugmentationRecord: Sendable, Equatable {
    /// Tile width after the call (differs from the input only after an odd quarter turn or a transpose).
    public var width: Int
    /// Tile height after the call.
    public var height: Int
    /// The transforms that fired, in the order they were applied.
    public var applied: [AppliedAugmentation]
}

/// One transform that fired, with its drawn parameters.
public enum AppliedAugmentation: Sendable, Equatable {
    /// Which axes were flipped.
    case flip(horizontal: Bool, vertical: Bool)
    /// Counter-clockwise quarter turns, 0...3 (0 is drawn like any other and changes nothing).
    case rotate90(quarterTurns: Int)
    /// Axes swapped.
    case transpose
    /// Shift as fractions of width/height, zoom factor, rotation in degrees counter-clockwise.
    case shiftScaleRotate(shiftX: Double, shiftY: Double, scale: Double, angle: Double)
    /// An elastic displacement field was applied (the field itself is not recorded).
    case elastic
    /// The per-cell distortions `d_i` along x and y.
    case gridDistortion(x: [Double], y: [Double])
    /// Shifts in OpenCV HSV units (also recorded for `color`).
    case hueSaturation(hue: Double, saturation: Double, value: Double)
    /// The brightness `b` and contrast `c` of `v * (1 + c) + b * 255`.
    case brightnessContrast(brightness: Double, contrast: Double)
    /// The exponent `g / 100`.
    case gamma(Double)
    /// The kernel side and kind.
    case blur(kernel: Int, kind: BlurKind)
    /// The noise variance drawn.
    case gaussNoise(variance: Double)
}
