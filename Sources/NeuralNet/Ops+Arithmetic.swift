/// Elementwise sum of same-shaped tensors (residual connections).
public func add(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
    return Variable(value: zipMap(a.value, b.value, +), parents: [a, b]) { gy in [gy, gy] }
}

/// Elementwise product with broadcasting of `b`: `b` has `a`'s rank and each
/// of its extents equals `a`'s or is 1 (`[n, c, 1, 1]` channel gates of
/// squeeze-and-excitation, `[n, 1, h, w]` spatial gates of scSE), or `b` has one element.
public func multiply(_ a: Variable, _ b: Variable) -> Variable {
    let map = BroadcastMap(a.shape, b.shape)
    let y = map.apply(a.value, b.value)
    return Variable(value: y, parents: [a, b]) { gy in
        let ga = a.requiresGrad ? map.apply(gy, b.value) : nil
        let gb = b.requiresGrad ? map.reduceProduct(gy, a.value, to: b.shape) : nil
        return [ga, gb]
    }
}

/// `x * factor` for a constant factor.
public func scale(_ x: Variable, by factor: Float) -> Variable {
    Variable(value: map(x.value) { $0 * factor }, parents: [x]) { gy in [map(gy) { $0 * factor }] }
}

/// `a - b` (same shapes).
public func subtract(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.shape == b.shape, "subtract: shapes \(a.shape) and \(b.shape) differ")
    return Variable(value: zipMap(a.value, b.value, -), parents: [a, b]) { gy in [gy, map(gy) { -$0 }] }
}

/// The sum of all elements, as a scalar (shape `[]`).
public func sum(_ x: Variable) -> Variable {
    let shape = x.shape
    return Variable(value: Tensor(scalar: Float(x.value.sum())), parents: [x]) { gy in
        [Tensor(shape: shape, repeating: gy.scalar)]
    }
}

/// The mean of all elements, as a scalar (shape `[]`).
public func mean(_ x: Variable) -> Variable { scale(sum(x), by: 1 / Float(max(1, x.value.count))) }

/// Index arithmetic for `a op b` where `b` broadcasts against `a`.
struct BroadcastMap {
    let aShape: [Int]
    /// For each element of `a`, strides into `b` (0 along broadcast axes).
    let bStrides: [Int]

    init(_ a: [Int], _ b: [Int]) {
        aShape = a
        if b.reduce(1, *) == 1 { bStrides = a.map { _ in 0 }; return }
        precondition(a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || $1 == 1 },
                     "cannot broadcast \(b) against \(a)")
        var strides = [Int](repeating: 0, count: b.count), step = 1
        for d in stride(from: b.count - 1, through: 0, by: -1) {
            strides[d] = b[d] == 1 ? 0 : step
            step *= b[d]
        }
        bStrides = strides
    }

    /// Offsets into `b` for every element of `a`, in order.
    func offsets() -> [Int] {
        var out = [Int](repeating: 0, count: aShape.reduce(1, *))
        var index = [Int](repeating: 0, count: aShape.count), off = 0
        for i in 0..<out.count {
            out[i] = off
            var d = aShape.count - 1
            while d >= 0 {
                index[d] += 1; off += bStrides[d]
                if index[d] < aShape[d] { break }
                off -= bStrides[d] * index[d]; index[d] = 0; d -= 1
            }
        }
        return out
    }

    /// When `b` is one value per leading block of `a` (its trailing extents
    /// all 1, as a `[n, c, 1, 1]` gate is per `[n, c]` plane), that block size.
    func blockSize(of b: [Int]) -> Int? {
        guard b.count == aShape.count, let k = b.indices.last(where: { b[$0] != 1 }) else { return nil }
        guard b[...k] == aShape[...k] else { return nil }
        return aShape[(k + 1)...].reduce(1, *)
    }

    func apply(_ a: Tensor, _ b: Tensor) -> Tensor {
        if a.shape == b.shape { return zipMap(a, b, *) }
        if let block = blockSize(of: b.shape) {
            var y = Tensor(uninitializedShape: a.shape)
            a.withUnsafeBufferPointer { av in b.withUnsafeBufferPointer { bv in y.withUnsafeMutableBufferPointer { yv in
                let (ap, bp, yp) = (av.baseAddress!, bv.baseAddress!, yv.baseAddress!)
                Compute.current.parallelRanges(bv.count, costPerItem: block) { blocks in
                    for i in blocks { let f = bp[i]; for k in i * block..<(i + 1) * block { yp[k] = ap[k] * f } }
                }
            }}}
            return y
        }
        let offs = offsets()
        var y = Tensor(shape: a.shape)
        a.withUnsafeBufferPointer { av in b.withUnsafeBufferPointer { bv in y.withUnsafeMutableBufferPointer { yv in
            for i in 0..<av.count { yv[i] = av[i] * bv[offs[i]] }
        }}}
        return y
    }

    /// `reduce(gy * a, to: shape)`, the gradient of `a * b` with respect to `b`;
    /// for a per-block `b`, each block's sum in one pass (`laneSum`).
    func reduceProduct(_ gy: Tensor, _ a: Tensor, to shape: [Int]) -> Tensor {
        guard let block = blockSize(of: shape) else { return reduce(zipMap(gy, a, *), to: shape) }
        var y = Tensor(uninitializedShape: shape)
        gy.withUnsafeBufferPointer { gv in a.withUnsafeBufferPointer { av in y.withUnsafeMutableBufferPointer { yv in
            let (gp, ap, yp) = (gv.baseAddress!, av.baseAddress!, yv.baseAddress!)
            Compute.current.parallelRanges(yv.count, costPerItem: block) { blocks in
                for i in blocks {
                    let g = gp + i * block, a = ap + i * block
                    yp[i] = laneSum(block, { lanes(g + $0) * lanes(a + $0) }, { g[$0] * a[$0] })
                }
            }
        }}}
        return y
    }

    func reduce(_ t: Tensor, to shape: [Int]) -> Tensor {
        if t.shape == shape { return t }
        let offs = offsets()
        var y = Tensor(shape: shape)
        t.withUnsafeBufferPointer { tv in y.withUnsafeMutableBufferPointer { yv in
            for i in 0..<tv.count { yv[offs[i]] += tv[i] }
        }}
        return y
    }
}

public func + (a: Variable, b: Variable) -> Variable { add(a, b) }
public func * (a: Variable, b: Variable) -> Variable { multiply(a, b) }
