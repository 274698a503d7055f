/// Elementwise transcendental functions eight lanes at a time. EfficientNet
/// runs SiLU on every activation, and scalar `expf` per element was a quarter
/// of its inference time; these keep every element's result independent of
/// where a chunk starts (a partial last vector is padded, not computed another
/// way), so results stay identical for any thread count.
enum VectorMath {
    typealias Lanes = SIMD8<Float>

    /// exp(x) with Cephes' single-precision polynomial (relative error about
    /// 2e-7), inputs clamped to [-87.3, 88.3] so 2^n stays a normal float.
    @inline(__always)
    static func exp(_ x: Lanes) -> Lanes {
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
    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exp(-x)) }

    /// `f` applied to every element, eight at a time.
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Lanes) -> Lanes) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { b in
            apply(a.baseAddress!, a.baseAddress!, b.baseAddress!, count: a.count) { v, _ in f(v) }
        }}
        return y
    }

    /// `f` applied to corresponding elements of two same-sized tensors (shape of `a`), eight at a time.
    @inline(__always)
    static func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Lanes, Lanes) -> Lanes) -> Tensor {
        precondition(a.count == b.count, "elementwise op on \(a.shape) and \(b.shape)")
        var y = Tensor(uninitializedShape: a.shape)
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in y.withUnsafeMutableBufferPointer { y in
            apply(a.baseAddress!, b.baseAddress!, y.baseAddress!, count: a.count, f)
        }}}
        return y
    }

    /// `out[i] = f(a[i], b[i])` over `count` elements, eight at a time, in parallel chunks.
    @inline(__always)
    static func apply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                      count: Int, _ f: (Lanes, Lanes) -> Lanes) {
        Compute.current.parallelRanges(count, costPerItem: 8) { range in
            applySerially(a + range.lowerBound, b + range.lowerBound, out + range.lowerBound, count: range.count, f)
        }
    }

    /// `out[i] = f(a[i], b[i])` over `count` elements, eight at a time, on this thread.
    /// `out` may be `a` or `b` (each vector is read before it is written).
    @inline(__always)
    static func applySerially(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                              count: Int, _ f: (Lanes, Lanes) -> Lanes) {
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
