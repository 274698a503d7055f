/// A seeded augmentation policy for segmentation tiles, decoded from a spec's `augment` stage.
///
/// Each key names one transform (albumentations names, so HuBMAP notebooks translate directly). A
/// transform is written either as a bare number, its probability `p` with default parameters
/// (`flip: 0.5`), or as an object whose missing keys take the defaults
/// (`color: {p: 0.3, hue: 0.05}`). Unknown keys inside a transform object are decoding errors;
/// unknown keys at the policy level are ignored (the stage's `kind`, `from`, ... live there and the
/// spec loader validates them). A "limit" written as one number `x` means the range `[-x, x]`
/// unless the table says otherwise; written as `[lo, hi]` it is used as is (`lo == hi` pins a value).
///
/// | key | parameter | default | meaning |
/// |---|---|---|---|
/// | `flip` | `p` | 0.5 | each enabled axis flips independently with probability `p` (= HorizontalFlip(p) + VerticalFlip(p)) |
/// | | `horizontal` | true | allow the left-right flip, `x -> W-1-x` |
/// | | `vertical` | true | allow the top-bottom flip, `y -> H-1-y` |
/// | `rotate90` | `p` | 0.5 | with probability `p`, rotate by `k` quarter turns counter-clockwise, `k` uniform in 0...3 (RandomRotate90, `np.rot90(img, k)`); odd `k` swaps width and height |
/// | `transpose` | `p` | 0.5 | with probability `p`, swap the axes, `out(x, y) = in(y, x)`; swaps width and height |
/// | `shift_scale_rotate` | `p` | 0.5 | affine warp about the tile centre `((W-1)/2, (H-1)/2)` |
/// | | `shift_limit` | 0.0625 | shift by `u*W`, `v*H`, `u`, `v` uniform in the range |
/// | | `scale_limit` | 0.1 | zoom by `1 + s`, `s` uniform in the range |
/// | | `rotate_limit` | 45 | rotate by `a` degrees (counter-clockwise on screen, as OpenCV), `a` uniform in the range |
/// | | `border` | `reflect_101` | `reflect_101` (`gfedcb|abcdefgh|gfedcba`), `reflect` (`fedcba|abcdef|fedcba`) or `constant` (0) |
/// | `elastic` | `p` | 0.5 | displacement field: uniform(-1, 1) noise per pixel, smoothed, times `alpha` (Simard 2003; no affine part) |
/// | | `alpha` | 120 | displacement scale, in pixels per unit of smoothed noise |
/// | | `sigma` | 6 | smoothing: Gaussian of this sigma, approximated by three box filters |
/// | | `border` | `reflect_101` | as above |
/// | `grid_distortion` | `p` | 0.5 | separable piecewise-linear warp: `num_steps` cells per axis, cell `i` samples a source span `(1 + d_i)` times its width, `d_i` uniform in `distort_limit` |
/// | | `num_steps` | 5 | cells per axis (>= 1) |
/// | | `distort_limit` | 0.3 | range of `d_i` (each in (-1, 1]) |
/// | | `border` | `reflect_101` | as above |
/// | `hue_saturation` | `p` | 0.5 | HueSaturationValue in OpenCV's uint8 HSV: hue 0..<180, saturation and value 0...255 |
/// | | `hue_shift_limit` | 20 | hue shift in OpenCV hue units (2 degrees), wraps modulo 180 |
/// | | `sat_shift_limit` | 30 | added to saturation, clamped to 0...255 |
/// | | `val_shift_limit` | 20 | added to value, clamped to 0...255 |
/// | `color` | `p` | 0.5 | shorthand for `hue_saturation` in fractions (ColorJitter style); applied after it when both are set |
/// | | `hue` | 0.05 | hue shift range as a fraction of the colour circle: `hue * 180` hue units |
/// | | `saturation` | 0 | saturation shift range as a fraction of full scale: `saturation * 255` |
/// | | `value` | 0 | value shift range as a fraction of full scale: `value * 255` |
/// | `brightness_contrast` | `p` | 0.5 | RandomBrightnessContrast (brightness by max): `out = clamp(round(v * (1 + c) + b * 255))` |
/// | | `brightness_limit` | 0.2 | range of `b` |
/// | | `contrast_limit` | 0.2 | range of `c` |
/// | `gamma` | `p` | 0.5 | RandomGamma: `out = round(255 * (v / 255) ^ (g / 100))` |
/// | | `gamma_limit` | [80, 120] | range of `g`; one number `x` means `[100 - x, 100 + x]` |
/// | `blur` | `p` | 0.5 | Blur / GaussianBlur with an odd kernel `k x k`, `k` uniform in `{lo, lo+2, ..., <= hi}`, border `reflect_101` |
/// | | `blur_limit` | [3, 7] | odd kernel sizes >= 3; one number `x` means `[3, x]` |
/// | | `kind` | `box` | `box` (mean) or `gaussian` (sigma = `0.3 * ((k - 1) / 2 - 1) + 0.8`, as OpenCV) |
/// | `gauss_noise` | `p` | 0.5 | GaussNoise: adds N(mean, var) noise, `var` uniform in `var_limit`, then rounds and clamps |
/// | | `var_limit` | [10, 50] | variance range in squared levels; one number `x` means `[0, x]` |
/// | | `mean` | 0 | noise mean in levels |
/// | | `per_channel` | true | independent noise per channel, else one value per pixel for all three |
///
/// Order of application (fixed, whatever the order of keys in the spec): `flip`, `rotate90`,
/// `transpose`, `shift_scale_rotate`, `elastic`, `grid_distortion` (geometric: image bilinear,
/// mask nearest, moved together), then `hue_saturation`, `color`, `brightness_contrast`, `gamma`,
/// `blur`, `gauss_noise` (photometric: image only). This is `transformNames`. Every configured
/// transform draws its coin from the generator (even when `p` is 0 or 1), then its parameters only
/// if the coin succeeds. Changing any of this changes outputs: bump the augment stage's algorithm
/// version.
///
/// Departures from albumentations, on purpose: photometric results are rounded to nearest (not
/// truncated); hue/saturation/value shifts are computed per pixel in floating-point HSV (no 8-bit
/// HSV quantization, so a zero shift is exactly the identity); the affine centre is the true pixel
/// centre, so a zero shift/scale/rotation is exactly the identity.
public struct AugmentationPolicy: Codable, Sendable, Equatable {
    /// The transform keys, in the order they are applied.
    public static let transformNames: [String] = [
        "flip", "rotate90", "transpose", "shift_scale_rotate", "elastic", "grid_distortion",
        "hue_saturation", "color", "brightness_contrast", "gamma", "blur", "gauss_noise",
    ]

    public var flip: Flip?
    public var rotate90: Rotate90?
    public var transpose: Transpose?
    public var shiftScaleRotate: ShiftScaleRotate?
    public var elastic: Elastic?
    public var gridDistortion: GridDistortion?
    public var hueSaturation: HueSaturation?
    public var color: Color?
    public var brightnessContrast: BrightnessContrast?
    public var gamma: Gamma?
    public var blur: Blur?
    public var gaussNoise: GaussNoise?

    /// A policy with the given transforms; `nil` (the default) leaves a transform out.
    public init(flip: Flip? = nil, rotate90: Rotate90? = nil, transpose: Transpose? = nil,
                shiftScaleRotate: ShiftScaleRotate? = nil, elastic: Elastic? = nil,
                gridDistortion: GridDistortion? = nil, hueSaturation: HueSaturation? = nil,
                color: Color? = nil, brightnessContrast: BrightnessContrast? = nil,
                gamma: Gamma? = nil, blur: Blur? = nil, gaussNoise: GaussNoise? = nil) {
        self.flip = flip
        self.rotate90 = rotate90
        self.transpose = transpose
        self.shiftScaleRotate = shiftScaleRotate
        self.elastic = elastic
        self.gridDistortion = gridDistortion
        self.hueSaturation = hueSaturation
        self.color = color
        self.brightnessContrast = brightnessContrast
        self.gamma = gamma
        self.blur = blur
        self.gaussNoise = gaussNoise
    }

    enum CodingKeys: String, CodingKey {
        case flip, rotate90, transpose, elastic, color, gamma, blur
        case shiftScaleRotate = "shift_scale_rotate"
        case gridDistortion = "grid_distortion"
        case hueSaturation = "hue_saturation"
        case brightnessContrast = "brightness_contrast"
        case gaussNoise = "gauss_noise"
    }
}

/// A closed range of a random parameter, `[lower, upper]`; encoded as a two-element array.
public struct AugmentationRange: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    /// The range `[lower, upper]` (`lower <= upper`).
    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The symmetric range `[-limit, limit]`.
    public init(symmetric limit: Double) { self.init(-abs(limit), abs(limit)) }

    /// Decodes `[lo, hi]`.
    public init(from decoder: any Decoder) throws {
        var items = try decoder.unkeyedContainer()
        let lo = try items.decode(Double.self), hi = try items.decode(Double.self)
        guard items.isAtEnd, lo <= hi else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "a range is [lo, hi] with lo <= hi"))
        }
        self.init(lo, hi)
    }

    /// Encodes `[lower, upper]`.
    public func encode(to encoder: any Encoder) throws {
        var items = encoder.unkeyedContainer()
        try items.encode(lower)
        try items.encode(upper)
    }

    /// A value drawn uniformly from the range (one draw).
    func draw(_ rng: inout AugmentationRNG) -> Double { rng.uniform(lower, upper) }
}

/// How a geometric warp samples outside the tile.
public enum BorderMode: String, Codable, Sendable, Equatable, CaseIterable {
    /// Mirror without repeating the edge pixel: `gfedcb|abcdefgh|gfedcba` (OpenCV BORDER_REFLECT_101).
    case reflect101 = "reflect_101"
    /// Mirror repeating the edge pixel: `fedcba|abcdefgh|hgfedcba` (OpenCV BORDER_REFLECT).
    case reflect
    /// Zero image and zero mask outside the tile.
    case constant
}

/// The two kernels of `blur`.
public enum BlurKind: String, Codable, Sendable, Equatable, CaseIterable {
    /// A `k x k` mean filter (cv2.blur).
    case box
    /// A `k x k` Gaussian with OpenCV's default sigma for `k`.
    case gaussian
}
