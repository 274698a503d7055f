import NeuralNetKernels

/// Elementwise maps eight lanes at a time, in parallel chunks. EfficientNet
/// runs SiLU on every activation, and scalar `expf` per element was a quarter
/// of its inference time; the lane functions (`LaneMath`) keep every element's
/// result independent of where a chunk starts, so results stay identical for
/// any thread count.
enum VectorMath {
    typealias Lanes = LaneMath.Lanes

    /// `f` applied to every element, eight at a time.
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Lanes) -> Lanes) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { b in
            apply(a.baseAddress!, a.baseAddress!, b.baseAddress!, count: a.count) { v, _ in f(v) }
        }}
        return y
    }

    /// `function` applied to every element: through the AVX2 build of `LaneMath`
    /// where the CPU has it, else the same lane function compiled here (same bits).
    static func map(_ x: Tensor, _ function: LaneMath.Function) -> Tensor {
        guard KernelSupport.available else {
            switch function {
            case .sigmoid: return map(x, LaneMath.sigmoid)
            case .silu: return map(x, LaneMath.silu)
            }
        }
        var y = Tensor(uninitializedShape: x.shape)
        x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { b in
            let (pa, pb) = (a.baseAddress!, b.baseAddress!)
            Compute.current.parallelRanges(a.count, costPerItem: 8) { r in
                LaneMath.map(function, pa + r.lowerBound, pb + r.lowerBound, count: r.count)
            }
        }}
        return y
    }

    /// SiLU's backward, `LaneMath.siluGradient` of the output gradient `gy` and
    /// input `x`: the AVX2 build where the CPU has it, else the same lanes compiled here.
    static func siluGradient(_ gy: Tensor, _ x: Tensor) -> Tensor {
        guard KernelSupport.available else { return zipMap(gy, x, LaneMath.siluGradient) }
        precondition(gy.count == x.count, "silu gradient of \(gy.shape) for \(x.shape)")
        var y = Tensor(uninitializedShape: gy.shape)
        gy.withUnsafeBufferPointer { g in x.withUnsafeBufferPointer { v in y.withUnsafeMutableBufferPointer { o in
            let (gp, vp, op) = (g.baseAddress!, v.baseAddress!, o.baseAddress!)
            Compute.current.parallelRanges(g.count, costPerItem: 8) { r in
                LaneMath.siluGradient(gp + r.lowerBound, vp + r.lowerBound, op + r.lowerBound, count: r.count)
            }
        }}}
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
            LaneMath.applySerially(a + range.lowerBound, b + range.lowerBound, out + range.lowerBound, range.count, f)
        }
    }
}

/// A sum over `count` elements in eight running lane sums: `eight(i)` gives
/// the terms of elements `i ..< i + 8`, `one(i)` the term of element `i`.
/// The lanes are added up after the last whole eight, then the rest in order;
/// the order depends only on `count`.
@inline(__always) func laneSum(_ count: Int, _ eight: (Int) -> SIMD8<Float>, _ one: (Int) -> Float) -> Float {
    var acc = SIMD8<Float>(), i = 0
    while i + 8 <= count { acc += eight(i); i += 8 }
    var s = acc.sum()
    while i < count { s += one(i); i += 1 }
    return s
}

/// Eight floats from `p`, at any alignment.
@inline(__always) func lanes(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Eight floats `stride` apart from `p`.
@inline(__always) func lanes(_ p: UnsafePointer<Float>, stride: Int) -> SIMD8<Float> {
    var v = SIMD8<Float>()
    for l in 0..<8 { v[l] = p[l * stride] }
    return v
}

/// `eight(i)` for each whole eight elements of `count`, then `one(i)` for each element left.
@inline(__always) func laneLoop(_ count: Int, _ eight: (Int) -> Void, _ one: (Int) -> Void) {
    var i = 0
    while i + 8 <= count { eight(i); i += 8 }
    while i < count { one(i); i += 1 }
}

/// `laneLoop` for work that gives the same result when repeated: with at
/// least eight elements, the rest is one more `eight` ending at `count`,
/// overlapping the one before; with fewer, `one(i)` for each.
@inline(__always) func overlappingLaneLoop(_ count: Int, _ eight: (Int) -> Void, _ one: (Int) -> Void) {
    guard count >= 8 else { return laneLoop(count, eight, one) }
    var i = 0
    while i + 8 <= count { eight(i); i += 8 }
    if i < count { eight(count - 8) }
}

/// `max(v, 0)` per lane as the scalar `max` gives it: NaN stays NaN, -0 becomes 0.
@inline(__always) func reluLanes(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: 0, where: v .<= 0) }

/// `g` where ReLU's output `y` passed it (`y > 0`), else 0.
@inline(__always) func reluGate(_ g: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> { g.replacing(with: 0, where: .!(y .> 0)) }
