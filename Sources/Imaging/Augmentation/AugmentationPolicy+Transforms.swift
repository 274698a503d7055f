// The parameter structs of each transform; defaults and meanings are tabled on AugmentationPolicy.

extension AugmentationPolicy {
    /// `flip`: left-right and/or top-bottom flips, each enabled axis independently with probability `p`.
    public struct Flip: Sendable, Equatable {
        public var p: Double
        public var horizontal: Bool
        public var vertical: Bool
        public init(p: Double = 0.5, horizontal: Bool = true, vertical: Bool = true) {
            self.p = p; self.horizontal = horizontal; self.vertical = vertical
        }
    }

    /// `rotate90`: `k` counter-clockwise quarter turns, `k` uniform in 0...3, with probability `p`.
    public struct Rotate90: Sendable, Equatable {
        public var p: Double
        public init(p: Double = 0.5) { self.p = p }
    }

    /// `transpose`: swap x and y with probability `p`.
    public struct Transpose: Sendable, Equatable {
        public var p: Double
        public init(p: Double = 0.5) { self.p = p }
    }

    /// `shift_scale_rotate`: a random affine warp about the tile centre.
    public struct ShiftScaleRotate: Sendable, Equatable {
        public var p: Double
        public var shiftLimit: AugmentationRange
        public var scaleLimit: AugmentationRange
        public var rotateLimit: AugmentationRange
        public var border: BorderMode
        public init(p: Double = 0.5, shiftLimit: AugmentationRange = .init(symmetric: 0.0625),
                    scaleLimit: AugmentationRange = .init(symmetric: 0.1),
                    rotateLimit: AugmentationRange = .init(symmetric: 45), border: BorderMode = .reflect101) {
            self.p = p; self.shiftLimit = shiftLimit; self.scaleLimit = scaleLimit
            self.rotateLimit = rotateLimit; self.border = border
        }
    }

    /// `elastic`: a smoothed random displacement field (no affine component).
    public struct Elastic: Sendable, Equatable {
        public var p: Double
        public var alpha: Double
        public var sigma: Double
        public var border: BorderMode
        public init(p: Double = 0.5, alpha: Double = 120, sigma: Double = 6, border: BorderMode = .reflect101) {
            self.p = p; self.alpha = alpha; self.sigma = sigma; self.border = border
        }
    }

    /// `grid_distortion`: separable piecewise-linear stretching of `num_steps` cells per axis.
    public struct GridDistortion: Sendable, Equatable {
        public var p: Double
        public var numSteps: Int
        public var distortLimit: AugmentationRange
        public var border: BorderMode
        public init(p: Double = 0.5, numSteps: Int = 5, distortLimit: AugmentationRange = .init(symmetric: 0.3),
                    border: BorderMode = .reflect101) {
            self.p = p; self.numSteps = numSteps; self.distortLimit = distortLimit; self.border = border
        }
    }

    /// `hue_saturation`: shifts in OpenCV uint8 HSV units (hue 0..<180, saturation/value 0...255).
    public struct HueSaturation: Sendable, Equatable {
        public var p: Double
        public var hueShiftLimit: AugmentationRange
        public var satShiftLimit: AugmentationRange
        public var valShiftLimit: AugmentationRange
        public init(p: Double = 0.5, hueShiftLimit: AugmentationRange = .init(symmetric: 20),
                    satShiftLimit: AugmentationRange = .init(symmetric: 30),
                    valShiftLimit: AugmentationRange = .init(symmetric: 20)) {
            self.p = p; self.hueShiftLimit = hueShiftLimit
            self.satShiftLimit = satShiftLimit; self.valShiftLimit = valShiftLimit
        }
    }

    /// `color`: the `hue_saturation` shorthand in fractions (hue of the circle, saturation/value of 255).
    public struct Color: Sendable, Equatable {
        public var p: Double
        public var hue: AugmentationRange
        public var saturation: AugmentationRange
        public var value: AugmentationRange
        public init(p: Double = 0.5, hue: AugmentationRange = .init(symmetric: 0.05),
                    saturation: AugmentationRange = .init(symmetric: 0),
                    value: AugmentationRange = .init(symmetric: 0)) {
            self.p = p; self.hue = hue; self.saturation = saturation; self.value = value
        }

        /// The same transform in `hue_saturation` units.
        public var asHueSaturation: HueSaturation {
            func scaled(_ r: AugmentationRange, _ f: Double) -> AugmentationRange { .init(r.lower * f, r.upper * f) }
            return HueSaturation(p: p, hueShiftLimit: scaled(hue, 180), satShiftLimit: scaled(saturation, 255),
                                 valShiftLimit: scaled(value, 255))
        }
    }

    /// `brightness_contrast`: `out = v * (1 + c) + b * 255`, rounded and clamped.
    public struct BrightnessContrast: Sendable, Equatable {
        public var p: Double
        public var brightnessLimit: AugmentationRange
        public var contrastLimit: AugmentationRange
        public init(p: Double = 0.5, brightnessLimit: AugmentationRange = .init(symmetric: 0.2),
                    contrastLimit: AugmentationRange = .init(symmetric: 0.2)) {
            self.p = p; self.brightnessLimit = brightnessLimit; self.contrastLimit = contrastLimit
        }
    }

    /// `gamma`: `out = 255 * (v / 255) ^ (g / 100)`, rounded.
    public struct Gamma: Sendable, Equatable {
        public var p: Double
        public var gammaLimit: AugmentationRange
        public init(p: Double = 0.5, gammaLimit: AugmentationRange = .init(80, 120)) {
            self.p = p; self.gammaLimit = gammaLimit
        }
    }

    /// `blur`: a box or Gaussian blur with an odd kernel size drawn from `blur_limit`.
    public struct Blur: Sendable, Equatable {
        public var p: Double
        public var blurLimit: AugmentationRange
        public var kind: BlurKind
        public init(p: Double = 0.5, blurLimit: AugmentationRange = .init(3, 7), kind: BlurKind = .box) {
            self.p = p; self.blurLimit = blurLimit; self.kind = kind
        }
    }

    /// `gauss_noise`: additive Gaussian noise with a variance drawn from `var_limit`.
    public struct GaussNoise: Sendable, Equatable {
        public var p: Double
        public var varLimit: AugmentationRange
        public var mean: Double
        public var perChannel: Bool
        public init(p: Double = 0.5, varLimit: AugmentationRange = .init(10, 50), mean: Double = 0,
                    perChannel: Bool = true) {
            self.p = p; self.varLimit = varLimit; self.mean = mean; self.perChannel = perChannel
        }
    }
}
