// Additive Gaussian noise from a precomputed table of normal quantiles (fast and portable).

extension Augmenter {
    /// 4096 standard-normal quantiles at probabilities `(i + 0.5) / 4096`, rescaled to mean 0 and
    /// variance exactly 1; a sample is the entry picked by 12 random bits (five samples per draw).
    static let normalTable: [Float] = {
        let n = 4096
        let raw = (0..<n).map { inverseNormalCDF((Double($0) + 0.5) / Double(n)) }
        let mean = raw.reduce(0, +) / Double(n)
        let variance = raw.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let scale = 1 / variance.squareRoot()
        return raw.map { Float(($0 - mean) * scale) }
    }()

    /// Adds `mean + sigma * N(0, 1)` to every byte (or one value per pixel for all three channels
    /// unless `perChannel`), rounded half up and clamped. Since pixels are whole levels,
    /// `round(v + x) == v + round(x)`: the table is rounded once per call and the loop is integer.
    static func addNoise(_ image: inout [UInt8], sigma: Float, mean: Float, perChannel: Bool,
                         rng: inout AugmentationRNG) {
        let levels = normalTable.map { Int32(min(max((mean + sigma * $0 + 0.5).rounded(.down), -512), 512)) }
        let unitCount = perChannel ? image.count : image.count / 3
        let channels = perChannel ? 1 : 3
        var generator = rng
        levels.withUnsafeBufferPointer { table in
            image.withUnsafeMutableBufferPointer { px in
                var unit = 0
                while unit < unitCount {
                    var bits = generator.next()
                    for _ in 0..<min(5, unitCount - unit) {
                        let noise = table[Int(bits & 4095)]
                        bits >>= 12
                        for i in (unit * channels)..<(unit * channels + channels) {
                            let v = Int32(px[i]) + noise
                            px[i] = UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
                        }
                        unit += 1
                    }
                }
            }
        }
        rng = generator
    }

    /// The standard normal quantile function (Acklam's rational approximation, relative error < 1.2e-9).
    static func inverseNormalCDF(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        if p < 0.02425 || p > 1 - 0.02425 {
            let q = (-2 * PortableMath.log(p < 0.5 ? p : 1 - p)).squareRoot()
            let x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            return p < 0.5 ? x : -x
        }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
