/// Elementwise sum of same-shaped tensors (residual connections).
public func add(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
    return Variable(value: zipMap(a.value, b.value, +), parents: [a, b]) { gy in [gy, gy] }
}

/// Elementwise product. `b` may have the shape of `a`, or `[n, c, 1, 1]`
/// against `a` `[n, c, h, w]` (squeeze-and-excitation gating), or one element.
public func multiply(_ a: Variable, _ b: Variable) -> Variable {
    let plane = broadcastPlane(a.shape, b.shape)
    let y = scaleByPlanes(a.value, b.value, plane)
    return Variable(value: y, parents: [a, b]) { gy in
        let ga = a.requiresGrad ? scaleByPlanes(gy, b.value, plane) : nil
        var gb: Tensor? = nil
        if b.requiresGrad {
            let prod = zipMap(gy, a.value, *)
            gb = plane == 1 ? prod : sumPlanes(prod, plane, shape: b.shape)
        }
        return [ga, gb]
    }
}

public func + (a: Variable, b: Variable) -> Variable { add(a, b) }
public func * (a: Variable, b: Variable) -> Variable { multiply(a, b) }

/// Elements of `a` per element of `b`: 1 for equal shapes, else the broadcast block size.
private func broadcastPlane(_ a: [Int], _ b: [Int]) -> Int {
    if a == b { return 1 }
    let count = b.reduce(1, *)
    if count == 1 { return a.reduce(1, *) }
    precondition(a.count == 4 && b == [a[0], a[1], 1, 1], "multiply: cannot broadcast \(b) against \(a)")
    return a[2] * a[3]
}

/// `x` with every block of `plane` consecutive elements scaled by one element of `s`.
private func scaleByPlanes(_ x: Tensor, _ s: Tensor, _ plane: Int) -> Tensor {
    if plane == 1 { return zipMap(x, s, *) }
    var y = Tensor(shape: x.shape)
    x.withUnsafeBufferPointer { xv in s.withUnsafeBufferPointer { sv in y.withUnsafeMutableBufferPointer { yv in
        for blk in 0..<sv.count {
            let f = sv[blk], off = blk * plane
            for i in off..<off + plane { yv[i] = xv[i] * f }
        }
    }}}
    return y
}

/// Sums of consecutive blocks of `plane` elements, shaped `shape`.
func sumPlanes(_ x: Tensor, _ plane: Int, shape: [Int]) -> Tensor {
    var y = Tensor(shape: shape)
    x.withUnsafeBufferPointer { xv in
        for blk in 0..<y.count {
            var s: Float = 0
            for i in blk * plane..<(blk + 1) * plane { s += xv[i] }
            y.storage[blk] = s
        }
    }
    return y
}
