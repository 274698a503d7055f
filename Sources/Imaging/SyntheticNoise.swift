/// Stateless hashing and value noise for the synthetic generator: every pixel is a pure function of
/// (seed, x, y), so bands render independently and in parallel.
enum SyntheticNoise {
    @inline(__always)
    static func hash(_ x: Int, _ y: Int, _ seed: UInt64) -> UInt64 {
        var z = seed &+ UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    static func unit(_ x: Int, _ y: Int, _ seed: UInt64) -> Float {
        Float(hash(x, y, seed) >> 40) * (1 / Float(1 << 24))
    }

    /// Smooth value noise in [0, 1) with lattice spacing `cell` pixels.
    @inline(__always)
    static func value(_ x: Float, _ y: Float, cell: Float, _ seed: UInt64) -> Float {
        let fx = x / cell, fy = y / cell
        let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
        var tx = fx - Float(ix), ty = fy - Float(iy)
        tx = tx * tx * (3 - 2 * tx); ty = ty * ty * (3 - 2 * ty)
        let a = unit(ix, iy, seed), b = unit(ix + 1, iy, seed)
        let c = unit(ix, iy + 1, seed), d = unit(ix + 1, iy + 1, seed)
        return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty
    }
}

/// SplitMix64 for the scene layout (object placement), seeded per image.
struct SyntheticRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform(_ lo: Double = 0, _ hi: Double = 1) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
}
