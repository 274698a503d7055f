/// exp, sigmoid and SiLU eight lanes at a time (Cephes' single-precision exp
/// polynomial). The lane functions are the one definition both NeuralNet's
/// portable loops (inlined there) and this module's AVX2 loops use. Each is a
/// fixed sequence of IEEE operations with no fused multiply-add, so both
/// builds compute the same bits, and an element's result never depends on
/// where a chunk starts (a partial last vector is padded with zeros).
public enum LaneMath {
    public typealias Lanes = SIMD8<Float>

    /// Eight floats from `p`, at any alignment.
    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    /// Stores eight floats at `p`, at any alignment.
    @inlinable @inline(__always)
    public static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

    /// Stores lanes `0..<count` (one to eight) of `v` at `p`: one vector store
    /// for eight, else `storeFirst`.
    @inlinable @inline(__always)
    public static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, count: Int) {
        if count == Lanes.scalarCount { store(v, p) } else { storeFirst(count, of: v, p) }
    }

    /// Stores lanes `0..<count` (under eight) of `v` at `p`: a four-lane, a
    /// two-lane and a one-lane store at most, with no lane picked at run time.
    @inlinable @inline(__always)
    public static func storeFirst(_ count: Int, of v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        var quad = v.lowHalf, p = p
        if count & 4 != 0 {
            UnsafeMutableRawPointer(p).storeBytes(of: quad, as: SIMD4<Float>.self)
            quad = v.highHalf
            p += 4
        }
        var pair = quad.lowHalf
        if count & 2 != 0 {
            UnsafeMutableRawPointer(p).storeBytes(of: pair, as: SIMD2<Float>.self)
            pair = quad.highHalf
            p += 2
        }
        if count & 1 != 0 { p[0] = pair[0] }
    }

    /// exp(x) with Cephes' single-precision polynomial (relative error about
    /// 2e-7), inputs clamped to [-87.3, 88.3] so 2^n stays a normal float.
    @inlinable @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        var x = x
        x.replace(with: -87.3, where: x .< -87.3)
        x.replace(with: 88.3, where: x .> 88.3)
        // Adding 1.5 * 2^23 rounds to an integer n and leaves n in the low bits of the sum.
        let magic = Lanes(repeating: 12_582_912)
        let shifted = x * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let e = p * (r * r) + r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23  // 2^n
        return e * unsafeBitCast(exponent, to: Lanes.self)
    }

    /// 1 / (1 + exp(-x)).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

    /// x * sigmoid(x) (swish).
    @inlinable @inline(__always)
    public static func silu(_ x: Lanes) -> Lanes { x * sigmoid(x) }

    /// `g * d/dx silu(x)`: SiLU's backward for output gradient `g`.
    @inlinable @inline(__always)
    public static func siluGradient(_ g: Lanes, _ x: Lanes) -> Lanes {
        let s = sigmoid(x)
        return g * s * (1 + x * (1 - s))
    }

    /// The functions the AVX2 loops below apply.
    public enum Function: Sendable { case sigmoid, silu }

    /// `out[i] = siluGradient(g[i], x[i])` for `i` in `0..<count` (AVX2 + FMA build).
    public static func siluGradient(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        applySerially(g, x, out, count, siluGradient)
    }

    /// `out[i] = f(x[i])` for `i` in `0..<count` (AVX2 + FMA build; see `KernelRequirements`).
    public static func map(_ f: Function, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        switch f {
        case .sigmoid: applySerially(x, x, out, count) { v, _ in sigmoid(v) }
        case .silu: applySerially(x, x, out, count) { v, _ in silu(v) }
        }
    }

    /// `y[i] = activation(y[i] + bias + residual[i])` in place, on this thread,
    /// a nil `bias` or `residual` adding nothing: a convolution's epilogue.
    @inlinable @inline(__always)
    public static func finish(_ y: UnsafeMutablePointer<Float>, count: Int, bias: Float?, residual: UnsafePointer<Float>?,
                              _ activation: (Lanes) -> Lanes) {
        switch (bias, residual) {
        case let (b?, r?): applySerially(y, r, y, count) { v, s in activation(v + b + s) }
        case let (nil, r?): applySerially(y, r, y, count) { v, s in activation(v + s) }
        case let (b?, nil): applySerially(y, y, y, count) { v, _ in activation(v + b) }
        case (nil, nil): applySerially(y, y, y, count) { v, _ in activation(v) }
        }
    }

    /// `finish` with SiLU, in the AVX2 + FMA build.
    public static func siluInPlace(_ y: UnsafeMutablePointer<Float>, count: Int, bias: Float?, residual: UnsafePointer<Float>?) {
        finish(y, count: count, bias: bias, residual: residual, silu)
    }

    /// `out[i] = f(a[i], b[i])` over `count` elements, eight at a time, on this
    /// thread; `out` may be `a` or `b` (each vector is read before it is written).
    @inlinable @inline(__always)
    public static func applySerially(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                     _ count: Int, _ f: (Lanes, Lanes) -> Lanes) {
        var i = 0
        while i + 8 <= count {
            let r = f(UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self), UnsafeRawPointer(b + i).loadUnaligned(as: Lanes.self))
            UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: Lanes.self)
            i += 8
        }
        guard i < count else { return }
        var u = Lanes(), v = Lanes()
        for k in 0..<(count - i) { u[k] = a[i + k]; v[k] = b[i + k] }
        let r = f(u, v)
        for k in 0..<(count - i) { out[i + k] = r[k] }
    }
}
