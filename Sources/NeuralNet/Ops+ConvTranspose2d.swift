/// Transposed 2-D convolution (PyTorch `F.conv_transpose2d`) of `x`
/// `[n, cin, h, w]` with `weight` `[cin, cout/groups, kh, kw]` and optional
/// `bias` `[cout]`: output side `(h-1)*stride - 2*padding + dilation*(k-1) + outputPadding + 1`.
/// Runs as sgemm + col2im per image and group (the backward of `conv2d`).
public func convTranspose2d(_ x: Variable, weight: Variable, bias: Variable? = nil, stride: Size2d = 1,
                            padding: Size2d = 0, outputPadding: Size2d = 0, dilation: Size2d = 1,
                            groups: Int = 1) -> Variable {
    let plan = ConvTransposePlan(x.shape, weight.shape, stride, padding, outputPadding, dilation, groups)
    var y = Tensor(shape: [plan.n, plan.cout, plan.geo.h, plan.geo.w])
    if let bias {
        precondition(bias.shape == [plan.cout], "convTranspose2d bias \(bias.shape) for \(plan.cout) channels")
        let plane = plan.geo.h * plan.geo.w
        for img in 0..<plan.n { for ch in 0..<plan.cout {
            let off = (img * plan.cout + ch) * plane
            for i in off..<off + plane { y.storage[i] = bias.value.storage[ch] }
        }}
    }
    plan.forward(x.value, weight.value, &y)
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Variable(value: y, parents: parents) { gy in
        let g = plan.backward(gy, x.value, weight.value, needX: x.requiresGrad, needWeight: weight.requiresGrad)
        guard let bias else { return [g.x, g.weight] }
        let plane = plan.geo.h * plan.geo.w
        return [g.x, g.weight, bias.requiresGrad ? channelSums(gy, n: plan.n, c: plan.cout, plane: plane) : nil]
    }
}

/// Per-channel sums of `[n, c, plane]` over images and positions.
func channelSums(_ t: Tensor, n: Int, c: Int, plane: Int) -> Tensor {
    var s = Tensor(shape: [c])
    t.withUnsafeBufferPointer { v in
        for ch in 0..<c {
            var acc: Float = 0
            for img in 0..<n { let off = (img * c + ch) * plane; for i in off..<off + plane { acc += v[i] } }
            s.storage[ch] = acc
        }
    }
    return s
}

/// Shapes of a transposed convolution; `geo` sweeps the OUTPUT as a convolution
/// whose result has the input's size.
struct ConvTransposePlan {
    let n, cin, cout, groups, cig, cog, kk: Int
    let geo: ConvGeometry

    init(_ input: [Int], _ weight: [Int], _ s: Size2d, _ p: Size2d, _ op: Size2d, _ d: Size2d, _ groups: Int) {
        precondition(input.count == 4 && weight.count == 4 && input[1] == weight[0] && input[1] % groups == 0,
                     "convTranspose2d: input \(input) and weight \(weight) (groups \(groups)) disagree")
        n = input[0]; cin = input[1]; self.groups = groups
        cig = cin / groups; cog = weight[1]; cout = cog * groups; kk = weight[2] * weight[3]
        let oh = (input[2] - 1) * s.h - 2 * p.h + d.h * (weight[2] - 1) + op.h + 1
        let ow = (input[3] - 1) * s.w - 2 * p.w + d.w * (weight[3] - 1) + op.w + 1
        geo = ConvGeometry(h: oh, w: ow, kh: weight[2], kw: weight[3], stride: (s.h, s.w),
                           padding: Padding2d(p.h, p.w), dilation: (d.h, d.w))
        precondition(geo.oh == input[2] && geo.ow == input[3], "convTranspose2d: output padding \(op) must be below stride \(s)")
    }

    var inPlane: Int { geo.oh * geo.ow }
    var outPlane: Int { geo.h * geo.w }

    func forward(_ x: Tensor, _ weight: Tensor, _ y: inout Tensor) {
        let compute = Compute.current, colSize = cog * kk * inPlane
        let workCount = compute.workers(for: n) * colSize
        x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        y.withUnsafeMutableBufferPointer { yb in Workspace.shared.with(count: workCount) { wsp in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!, ws = wsp
            compute.forEachChunk(n) { worker, images in
                let col = ws + worker * colSize
                for img in images { for g in 0..<groups {
                    BLAS.sgemm(transA: true, m: cog * kk, n: inPlane, k: cig, a: wp + g * cig * cog * kk, lda: cog * kk,
                               b: xp + (img * cin + g * cig) * inPlane, ldb: inPlane, beta: 0, c: col, ldc: inPlane)
                    geo.col2imAdd(col, channels: cog, yp + (img * cout + g * cog) * outPlane)
                }}
            }
        }}}}
    }

    func backward(_ gy: Tensor, _ x: Tensor, _ weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let compute = Compute.current, workers = compute.workers(for: n), colSize = cog * kk * inPlane
        let wCount = weight.count
        var dx = Tensor(shape: needX ? [n, cin, geo.oh, geo.ow] : [0])
        var partial = [Float](repeating: 0, count: needWeight ? workers * wCount : 0)
        let workCount = workers * colSize
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        dx.withUnsafeMutableBufferPointer { dxb in partial.withUnsafeMutableBufferPointer { pb in
        Workspace.shared.with(count: workCount) { wsp in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!, ws = wsp
            let dxp = dxb.baseAddress, pp = pb.baseAddress
            compute.forEachChunk(n) { worker, images in
                let col = ws + worker * colSize
                for img in images { for g in 0..<groups {
                    geo.im2col(gp + (img * cout + g * cog) * outPlane, channels: cog, col)
                    let wg = wp + g * cig * cog * kk, xo = (img * cin + g * cig) * inPlane
                    if needX {
                        BLAS.sgemm(m: cig, n: inPlane, k: cog * kk, a: wg, lda: cog * kk, b: col, ldb: inPlane,
                                   beta: 0, c: dxp! + xo, ldc: inPlane)
                    }
                    if needWeight {
                        BLAS.sgemm(transB: true, m: cig, n: cog * kk, k: inPlane, a: xp + xo, lda: inPlane, b: col,
                                   ldb: inPlane, beta: 1, c: pp! + worker * wCount + g * cig * cog * kk, ldc: cog * kk)
                    }
                }}
            }
        }}}}}}
        return (needX ? dx : nil, needWeight ? sumWorkerPartials(partial, workers: workers, shape: weight.shape) : nil)
    }
}

/// Adds per-worker partial sums in worker order (deterministic for a thread count).
func sumWorkerPartials(_ partial: [Float], workers: Int, shape: [Int]) -> Tensor {
    var sum = Tensor(shape: shape)
    let count = sum.count
    for w in 0..<workers { for i in 0..<count { sum.storage[i] += partial[w * count + i] } }
    return sum
}
