/// Elementary functions built only from IEEE-754 +, -, *, / and sqrt, which are correctly rounded
/// everywhere. The platform `libm` (`exp`, `log`, `sin`, `pow`) may differ in the last bit between
/// glibc, macOS and versions; these do not, so random parameters, kernels and lookup tables derived
/// from them are identical on every machine. Accuracy is ~1e-15 relative over the ranges used.
enum PortableMath {
    static let ln2Hi = 6.93147180369123816490e-01
    static let ln2Lo = 1.90821492927058770002e-10
    static let halfPi = 1.57079632679489661923

    /// e^x for |x| < 700.
    static func exp(_ x: Double) -> Double {
        if x < -700 { return 0 }
        precondition(x < 700, "PortableMath.exp overflow")
        let k = (x / (ln2Hi + ln2Lo)).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo          // |r| <= 0.35
        var term = 1.0, sum = 1.0
        for n in 1...18 {
            term = term * r / Double(n)
            sum += term
        }
        return sum * Double(sign: .plus, exponent: Int(k), significand: 1)
    }

    /// Natural logarithm for x > 0.
    static func log(_ x: Double) -> Double {
        precondition(x > 0, "PortableMath.log of a non-positive number")
        var m = x.significand                          // [1, 2)
        var e = Double(x.exponent)
        if m > 1.41421356237309504880 { m *= 0.5; e += 1 }
        let s = (m - 1) / (m + 1)                      // |s| <= 0.172
        let s2 = s * s
        var power = s, sum = 0.0
        for n in stride(from: 1, through: 27, by: 2) {
            sum += power / Double(n)
            power *= s2
        }
        return 2 * sum + e * ln2Hi + e * ln2Lo
    }

    /// x^y for x >= 0 (0^y = 0 for y > 0, x^0 = 1).
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 { return 1 }
        if x == 0 { return 0 }
        return exp(y * log(x))
    }

    /// (sin x, cos x) for |x| < 1e4 (radians).
    static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        let k = (x / halfPi).rounded()
        let r = x - k * halfPi                          // |r| <= pi/4 (+ tiny)
        let r2 = r * r
        var sinSum = r, cosSum = 1.0, sinTerm = r, cosTerm = 1.0
        for n in 1...11 {
            sinTerm = -sinTerm * r2 / Double((2 * n) * (2 * n + 1))
            cosTerm = -cosTerm * r2 / Double((2 * n - 1) * (2 * n))
            sinSum += sinTerm
            cosSum += cosTerm
        }
        switch ((Int(k) % 4) + 4) % 4 {
        case 0: return (sinSum, cosSum)
        case 1: return (cosSum, -sinSum)
        case 2: return (-sinSum, -cosSum)
        default: return (-cosSum, sinSum)
        }
    }
}
