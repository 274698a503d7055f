/// Fully connected layer (PyTorch `F.linear`): `x` `[n, in]` times `weight`
/// `[out, in]` transposed, plus optional `bias` `[out]`, giving `[n, out]`.
public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil) -> Variable {
    precondition(x.shape.count == 2 && weight.shape.count == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) and weight \(weight.shape) disagree")
    let (n, k, m) = (x.shape[0], x.shape[1], weight.shape[0])
    var y = Tensor(shape: [n, m])
    if let bias {
        precondition(bias.shape == [m], "linear bias \(bias.shape) for \(m) outputs")
        for r in 0..<n { for j in 0..<m { y.storage[r * m + j] = bias.value.storage[j] } }
    }
    gemm(x.value, weight.value, into: &y, transA: false, transB: true, m: n, n: m, k: k, beta: bias == nil ? 0 : 1)
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Variable(value: y, parents: parents) { gy in
        var gx: Tensor? = nil, gw: Tensor? = nil
        if x.requiresGrad {
            var t = Tensor(shape: [n, k])
            gemm(gy, weight.value, into: &t, transA: false, transB: false, m: n, n: k, k: m, beta: 0)
            gx = t
        }
        if weight.requiresGrad {
            var t = Tensor(shape: [m, k])
            gemm(gy, x.value, into: &t, transA: true, transB: false, m: m, n: k, k: n, beta: 0)
            gw = t
        }
        guard let bias else { return [gx, gw] }
        return [gx, gw, bias.requiresGrad ? channelSums(gy.reshaped([n, m, 1]), n: n, c: m, plane: 1) : nil]
    }
}

/// `c = op(a) * op(b) + beta * c` on whole row-major tensors (serial BLAS threads as configured).
private func gemm(_ a: Tensor, _ b: Tensor, into c: inout Tensor, transA: Bool, transB: Bool,
                  m: Int, n: Int, k: Int, beta: Float) {
    a.withUnsafeBufferPointer { ab in b.withUnsafeBufferPointer { bb in c.withUnsafeMutableBufferPointer { cb in
        Compute.current.forEachChunk(1) { _, _ in
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: ab.baseAddress!, lda: transA ? m : k,
                       b: bb.baseAddress!, ldb: transB ? k : n, beta: beta, c: cb.baseAddress!, ldc: n)
        }
    }}}
}
