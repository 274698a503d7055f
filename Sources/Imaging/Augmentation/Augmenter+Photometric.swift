// The image-only transforms, drawn in table order: hue/saturation/value, tone curves, blur, noise.

extension Augmenter {
    /// Draws and applies `hue_saturation`, `color`, `brightness_contrast`, `gamma`, `blur`, `gauss_noise`.
    func applyPhotometric(image: inout [UInt8], record: inout AugmentationRecord, rng: inout AugmentationRNG) {
        for hsv in [policy.hueSaturation, policy.color?.asHueSaturation] {
            guard let hsv, rng.chance(hsv.p) else { continue }
            let hue = hsv.hueShiftLimit.draw(&rng), sat = hsv.satShiftLimit.draw(&rng)
            let val = hsv.valShiftLimit.draw(&rng)
            Self.shiftHSV(&image, hue: Float(hue), saturation: Float(sat), value: Float(val))
            record.applied.append(.hueSaturation(hue: hue, saturation: sat, value: val))
        }
        var curve: ToneCurve?
        if let bc = policy.brightnessContrast, rng.chance(bc.p) {
            let brightness = bc.brightnessLimit.draw(&rng), contrast = bc.contrastLimit.draw(&rng)
            curve = ToneCurve.brightnessContrast(brightness: brightness, contrast: contrast)
            record.applied.append(.brightnessContrast(brightness: brightness, contrast: contrast))
        }
        if let gamma = policy.gamma, rng.chance(gamma.p) {
            let exponent = gamma.gammaLimit.draw(&rng) / 100
            let gammaCurve = ToneCurve.gamma(exponent)
            curve = curve.map { $0.followed(by: gammaCurve) } ?? gammaCurve
            record.applied.append(.gamma(exponent))
        }
        curve?.apply(to: &image)
        if let blur = policy.blur, rng.chance(blur.p) {
            let sizes = Array(stride(from: Int(blur.blurLimit.lower), through: Int(blur.blurLimit.upper), by: 2))
            let kernel = sizes.isEmpty ? Int(blur.blurLimit.lower) : sizes[rng.below(sizes.count)]
            Self.blur(&image, width: record.width, height: record.height, kernel: kernel, kind: blur.kind)
            record.applied.append(.blur(kernel: kernel, kind: blur.kind))
        }
        if let noise = policy.gaussNoise, rng.chance(noise.p) {
            let variance = noise.varLimit.draw(&rng)
            Self.addNoise(&image, sigma: Float(variance.squareRoot()), mean: Float(noise.mean),
                          perChannel: noise.perChannel, rng: &rng)
            record.applied.append(.gaussNoise(variance: variance))
        }
    }
}

/// A 256-entry uint8 lookup table; consecutive curves compose into one table (one pass over the image).
struct ToneCurve: Equatable {
    var table: [UInt8]

    /// `clamp(round(v * (1 + contrast) + brightness * 255))` (albumentations, brightness by max).
    static func brightnessContrast(brightness: Double, contrast: Double) -> ToneCurve {
        ToneCurve(table: (0..<256).map { clampRound(Double($0) * (1 + contrast) + brightness * 255) })
    }

    /// `round(255 * (v / 255) ^ exponent)`.
    static func gamma(_ exponent: Double) -> ToneCurve {
        ToneCurve(table: (0..<256).map { clampRound(255 * PortableMath.pow(Double($0) / 255, exponent)) })
    }

    /// This curve, then `next`.
    func followed(by next: ToneCurve) -> ToneCurve {
        ToneCurve(table: table.map { next.table[Int($0)] })
    }

    /// Maps every byte of `image` through the table.
    func apply(to image: inout [UInt8]) {
        table.withUnsafeBufferPointer { lut in
            image.withUnsafeMutableBufferPointer { px in
                for i in 0..<px.count { px[i] = lut[Int(px[i])] }
            }
        }
    }

    /// Round half up, clamp to 0...255.
    static func clampRound(_ v: Double) -> UInt8 {
        UInt8(min(max((v + 0.5).rounded(.down), 0), 255))
    }
}
