// Codable conformances of the transforms: bare probability or object, snake_case keys, validation.

extension AugmentationPolicy.Flip: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["horizontal", "vertical"])
        self.init(p: try f.probability(), horizontal: try f.bool("horizontal", true), vertical: try f.bool("vertical", true))
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("horizontal", horizontal); try w.write("vertical", vertical)
    }
}

extension AugmentationPolicy.Rotate90: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(p: try TransformFields(decoder, allowed: []).probability())
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p)
    }
}

extension AugmentationPolicy.Transpose: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(p: try TransformFields(decoder, allowed: []).probability())
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p)
    }
}

extension AugmentationPolicy.ShiftScaleRotate: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["shift_limit", "scale_limit", "rotate_limit", "border"])
        let d = Self()
        self.init(p: try f.probability(), shiftLimit: try f.range("shift_limit", d.shiftLimit),
                  scaleLimit: try f.range("scale_limit", d.scaleLimit),
                  rotateLimit: try f.range("rotate_limit", d.rotateLimit), border: try f.value("border", d.border))
        try f.require(scaleLimit.lower > -1, "scale_limit", "scale_limit must stay above -1 (the zoom is 1 + s)")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("shift_limit", shiftLimit); try w.write("scale_limit", scaleLimit)
        try w.write("rotate_limit", rotateLimit); try w.write("border", border)
    }
}

extension AugmentationPolicy.Elastic: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["alpha", "sigma", "border"])
        let d = Self()
        self.init(p: try f.probability(), alpha: try f.double("alpha", d.alpha), sigma: try f.double("sigma", d.sigma),
                  border: try f.value("border", d.border))
        try f.require(alpha >= 0, "alpha", "alpha must be >= 0")
        try f.require(sigma > 0 && sigma <= 1000, "sigma", "sigma must be in (0, 1000]")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("alpha", alpha); try w.write("sigma", sigma); try w.write("border", border)
    }
}

extension AugmentationPolicy.GridDistortion: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["num_steps", "distort_limit", "border"])
        let d = Self()
        self.init(p: try f.probability(), numSteps: try f.int("num_steps", d.numSteps),
                  distortLimit: try f.range("distort_limit", d.distortLimit), border: try f.value("border", d.border))
        try f.require(numSteps >= 1 && numSteps <= 1024, "num_steps", "num_steps must be in 1...1024")
        try f.require(distortLimit.lower > -1, "distort_limit", "distort_limit must stay above -1")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("num_steps", numSteps); try w.write("distort_limit", distortLimit)
        try w.write("border", border)
    }
}

extension AugmentationPolicy.HueSaturation: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["hue_shift_limit", "sat_shift_limit", "val_shift_limit"])
        let d = Self()
        self.init(p: try f.probability(), hueShiftLimit: try f.range("hue_shift_limit", d.hueShiftLimit),
                  satShiftLimit: try f.range("sat_shift_limit", d.satShiftLimit),
                  valShiftLimit: try f.range("val_shift_limit", d.valShiftLimit))
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("hue_shift_limit", hueShiftLimit)
        try w.write("sat_shift_limit", satShiftLimit); try w.write("val_shift_limit", valShiftLimit)
    }
}

extension AugmentationPolicy.Color: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["hue", "saturation", "value"])
        let d = Self()
        self.init(p: try f.probability(), hue: try f.range("hue", d.hue),
                  saturation: try f.range("saturation", d.saturation), value: try f.range("value", d.value))
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("hue", hue); try w.write("saturation", saturation); try w.write("value", value)
    }
}

extension AugmentationPolicy.BrightnessContrast: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["brightness_limit", "contrast_limit"])
        let d = Self()
        self.init(p: try f.probability(), brightnessLimit: try f.range("brightness_limit", d.brightnessLimit),
                  contrastLimit: try f.range("contrast_limit", d.contrastLimit))
        try f.require(contrastLimit.lower >= -1, "contrast_limit", "contrast_limit must be >= -1 (the gain is 1 + c)")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("brightness_limit", brightnessLimit); try w.write("contrast_limit", contrastLimit)
    }
}

extension AugmentationPolicy.Gamma: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["gamma_limit"])
        let limit = try f.range("gamma_limit", Self().gammaLimit) { AugmentationRange(100 - abs($0), 100 + abs($0)) }
        self.init(p: try f.probability(), gammaLimit: limit)
        try f.require(limit.lower > 0, "gamma_limit", "gamma_limit must be > 0 (gamma is g / 100)")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("gamma_limit", gammaLimit)
    }
}

extension AugmentationPolicy.Blur: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["blur_limit", "kind"])
        let limit = try f.range("blur_limit", Self().blurLimit) { AugmentationRange(3, $0) }
        self.init(p: try f.probability(), blurLimit: limit, kind: try f.value("kind", BlurKind.box))
        let lo = limit.lower
        try f.require(lo >= 3 && lo == lo.rounded() && Int(lo) % 2 == 1 && limit.upper <= 255, "blur_limit",
                      "blur_limit must be odd kernel sizes between 3 and 255, like [3, 7]")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("blur_limit", blurLimit); try w.write("kind", kind)
    }
}

extension AugmentationPolicy.GaussNoise: Codable {
    public init(from decoder: any Decoder) throws {
        let f = try TransformFields(decoder, allowed: ["var_limit", "mean", "per_channel"])
        let d = Self()
        let limit = try f.range("var_limit", d.varLimit) { AugmentationRange(0, abs($0)) }
        self.init(p: try f.probability(), varLimit: limit, mean: try f.double("mean", d.mean),
                  perChannel: try f.bool("per_channel", d.perChannel))
        try f.require(limit.lower >= 0, "var_limit", "var_limit must be >= 0 (a variance)")
    }
    public func encode(to encoder: any Encoder) throws {
        var w = TransformWriter(encoder)
        try w.write("p", p); try w.write("var_limit", varLimit); try w.write("mean", mean)
        try w.write("per_channel", perChannel)
    }
}
