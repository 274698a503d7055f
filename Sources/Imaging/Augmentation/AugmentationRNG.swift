/// The random source of every augmentation choice: SplitMix64 (Steele, Lea & Flood 2014).
///
/// Portable by construction: 64-bit integer arithmetic only, so one seed gives the same stream on
/// every machine, compiler and thread count. The helpers below derive floats, integers and coins
/// from that stream with their own fixed formulas (never the standard library's `random(in:)`,
/// whose algorithm is not part of any contract), so augmentation results are reproducible bit for bit.
///
/// To augment many tiles in parallel reproducibly, give each tile its own generator with
/// `init(seed:stream:)` (for instance `stream` = epoch * tileCount + tile index, or the copy
/// index when materializing `copies: k`); never share one generator across threads.
public struct AugmentationRNG: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) { state = seed }

    /// An independent generator for sub-stream `stream` of `seed` (tile index, copy, epoch...).
    /// Different `(seed, stream)` pairs give unrelated streams.
    public init(seed: UInt64, stream: UInt64) {
        state = AugmentationRNG.mix(seed ^ AugmentationRNG.mix(stream &+ 0x632B_E59B_D9B4_E019))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return AugmentationRNG.mix(state)
    }

    /// The SplitMix64 output function (a bijective 64-bit mixer).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniformly in [0, 1), from the top 53 bits of one draw.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A double uniformly in [lo, hi) (exactly `lo` when `lo == hi`); one draw.
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * unit()
    }

    /// True with probability `p` (one draw, always consumed, so the stream position does not
    /// depend on `p`). `p <= 0` is never true, `p >= 1` always.
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// An integer uniformly in `0..<bound` (`bound` > 0), by 128-bit multiply-high of one draw
    /// (bias below 2^-50 for the small bounds used here).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
