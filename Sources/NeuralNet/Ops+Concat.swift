/// Concatenation along `axis` (default 1, channels of NCHW; U-Net skip
/// connections). All other extents must agree.
public func concat(_ xs: [Variable], axis: Int = 1) -> Variable {
    precondition(!xs.isEmpty, "concat of nothing")
    let first = xs[0].shape
    for x in xs {
        precondition(x.shape.count == first.count && x.shape.indices.allSatisfy { $0 == axis || x.shape[$0] == first[$0] },
                     "concat along \(axis): shapes \(first) and \(x.shape) disagree")
    }
    let outer = first[..<axis].reduce(1, *), inner = first[(axis + 1)...].reduce(1, *)
    let blocks = xs.map { $0.shape[axis] * inner }, total = blocks.reduce(0, +)
    var shape = first
    shape[axis] = xs.reduce(0) { $0 + $1.shape[axis] }
    var y = Tensor(uninitializedShape: shape)
    y.withUnsafeMutableBufferPointer { yv in
        var start = 0
        for (x, blk) in zip(xs, blocks) {
            x.value.withUnsafeBufferPointer { xv in
                for o in 0..<outer {
                    (yv.baseAddress! + o * total + start).update(from: xv.baseAddress! + o * blk, count: blk)
                }
            }
            start += blk
        }
    }
    return Variable(value: y, parents: xs) { gy in
        var start = 0
        return zip(xs, blocks).map { x, blk in
            defer { start += blk }
            guard x.requiresGrad else { return nil }
            var g = Tensor(shape: x.shape)
            gy.withUnsafeBufferPointer { gv in g.withUnsafeMutableBufferPointer { dv in
                for o in 0..<outer {
                    (dv.baseAddress! + o * blk).update(from: gv.baseAddress! + o * total + start, count: blk)
                }
            }}
            return g
        }
    }
}

/// The same values under a new shape with the same element count (e.g. flatten).
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    let old = x.shape
    return Variable(value: x.value.reshaped(shape), parents: [x]) { gy in [gy.reshaped(old)] }
}
