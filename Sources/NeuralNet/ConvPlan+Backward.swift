extension ConvPlan {
    /// Gradients with respect to the input and the weight (nil where not needed).
    /// Per-worker weight-gradient partials are summed in worker order.
    func backward(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        if usesDensePlane {
            return (needX ? denseInputGradient(gy: gy, weight: weight) : nil, needWeight ? denseWeightGradient(gy: gy, x: x) : nil)
        }
        if usesDepthwiseChannelsLast { return channelsLastBackwardBatch(gy: gy, x: x, weight: weight, needX: needX, needWeight: needWeight) }
        if usesDepthwiseKernelBackward { return depthwiseKernelBackwardBatch(gy: gy, x: x, weight: weight, needX: needX, needWeight: needWeight) }
        if usesWinograd { return winogradBackward(gy: gy, x: x, weight: weight, needX: needX, needWeight: needWeight) }
        if shiftedGemmApplies { return shiftedBackwardBatch(gy: gy, x: x, weight: weight, needX: needX, needWeight: needWeight) }
        if imagesPerGemm > 0 { return batchedBackward(gy: gy, x: x, weight: weight, needX: needX, needWeight: needWeight) }
        let compute = Compute.current
        let workers = compute.workers(for: n)
        let wCount = weight.count
        let colSize = geo.isIdentity || isDepthwise ? 0 : cg * kk * columnStride
        var dx = needX ? Tensor(shape: [n, c, geo.h, geo.w]) : Tensor(shape: [0])
        var partial = [Float](repeating: 0, count: needWeight ? workers * wCount : 0)
        let workCount = workers * colSize * 2
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        dx.withUnsafeMutableBufferPointer { dxb in partial.withUnsafeMutableBufferPointer { pb in
        Workspace.shared.with(count: workCount) { wsp in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!
            let dxp = dxb.baseAddress, pp = pb.baseAddress, ws = Optional(wsp)
            compute.forEachChunk(n) { worker, images in
                let dW = needWeight ? pp! + worker * wCount : nil
                let col = colSize > 0 ? ws! + worker * 2 * colSize : nil
                for img in images {
                    let xi = xp + img * c * inPlane, gi = gp + img * o * plane
                    let dxi = needX ? dxp! + img * c * inPlane : nil
                    if isDepthwise { depthwiseBackward(xi, wp, gi, dxi, dW); continue }
                    for g in 0..<groups {
                        imageGroupBackward(x: xi + g * cg * inPlane, w: wp + g * og * cg * kk, gy: gi + g * og * plane,
                                           dx: dxi.map { $0 + g * cg * inPlane }, dW: dW.map { $0 + g * og * cg * kk },
                                           col: col, dcol: col.map { $0 + colSize })
                    }
                }
            }
        }}}}}}
        var dW: Tensor? = nil
        if needWeight {
            var sum = Tensor(shape: weight.shape)
            for wkr in 0..<workers {
                for i in 0..<wCount { sum.storage[i] += partial[wkr * wCount + i] }
            }
            dW = sum
        }
        return (needX ? dx : nil, dW)
    }

    private func shiftedBackwardBatch(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let compute = Compute.current, workers = compute.workers(for: n), perWorker = paddedSize + wideOutSize
        let wCount = weight.count, taps = tapMajorWeights(weight)
        var dx = needX ? Tensor(uninitializedShape: [n, c, geo.h, geo.w]) : Tensor(shape: [0])
        var partial = [Float](repeating: 0, count: needWeight ? workers * wCount : 0)
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in taps.withUnsafeBufferPointer { tb in
        dx.withUnsafeMutableBufferPointer { dxb in partial.withUnsafeMutableBufferPointer { pb in
        Workspace.shared.with(count: workers * perWorker) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, tp = tb.baseAddress!
            let dxp = dxb.baseAddress, pp = pb.baseAddress
            compute.forEachChunk(n) { worker, images in
                for img in images {
                    shiftedBackward(xp + img * c * inPlane, tp, gp + img * o * plane,
                                    needX ? dxp! + img * c * inPlane : nil, needWeight ? pp! + worker * wCount : nil,
                                    ws + worker * perWorker)
                }
            }
        }}}}}}
        guard needWeight else { return (needX ? dx : nil, nil) }
        let tapMajor = sumWorkerPartials(partial, workers: workers, shape: [wCount])
        var dW = Tensor(shape: weight.shape)
        for oc in 0..<(o * c) { for k in 0..<9 { dW.storage[oc * 9 + k] = tapMajor.storage[k * o * c + oc] } }
        return (needX ? dx : nil, dW)
    }

    private func imageGroupBackward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, gy: UnsafePointer<Float>,
                                    dx: UnsafeMutablePointer<Float>?, dW: UnsafeMutablePointer<Float>?,
                                    col: UnsafeMutablePointer<Float>?, dcol: UnsafeMutablePointer<Float>?) {
        let rows = cg * kk
        if let dW {
            var colp = x, ldb = plane
            if let col { geo.im2col(x, channels: cg, col, rowStride: columnStride); colp = UnsafePointer(col); ldb = columnStride }
            BLAS.sgemm(transB: true, m: og, n: rows, k: plane, a: gy, lda: plane, b: colp, ldb: ldb,
                       beta: 1, c: dW, ldc: rows)
        }
        guard let dx else { return }
        if let dcol {
            BLAS.sgemm(transA: true, m: rows, n: plane, k: og, a: w, lda: rows, b: gy, ldb: plane,
                       beta: 0, c: dcol, ldc: columnStride)
            geo.col2imAdd(dcol, channels: cg, dx, rowStride: columnStride)
        } else {
            BLAS.sgemm(transA: true, m: rows, n: plane, k: og, a: w, lda: rows, b: gy, ldb: plane,
                       beta: 0, c: dx, ldc: plane)
        }
    }
}

extension ConvPlan {
    /// Depthwise forward of one image: each output channel `ch` reads input channel `ch / og`.
    /// Row by row, so the output row and the input rows it reads stay in L1 while all taps
    /// add into it; every output element still sums its taps in (i, j) order.
    func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for ch in 0..<o {
            let xin = x + (ch / og) * inPlane, yout = y + ch * plane, taps = w + ch * kk
            for oy in 0..<geo.oh {
                let dst = yout + oy * geo.ow
                for i in 0..<geo.kh {
                    let iy = oy * geo.sh - geo.padTop + i * geo.dh
                    guard iy >= 0 && iy < geo.h else { continue }
                    let row = xin + iy * geo.w - geo.padLeft
                    for j in 0..<geo.kw {
                        let wv = taps[i * geo.kw + j], src = row + j * geo.dw
                        let cols = geo.validColumns(j)
                        if geo.sw == 1 {
                            for ox in cols { dst[ox] += wv * src[ox] }
                        } else {
                            for ox in cols { dst[ox] += wv * src[ox * geo.sw] }
                        }
                    }
                }
            }
        }
    }

    /// Depthwise backward of one image, adding into `dx` and `dW` when given.
    func depthwiseBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                           _ dx: UnsafeMutablePointer<Float>?, _ dW: UnsafeMutablePointer<Float>?) {
        for ch in 0..<o {
            let xin = x + (ch / og) * inPlane, g = gy + ch * plane
            let dxin = dx.map { $0 + (ch / og) * inPlane }
            for i in 0..<geo.kh {
                for j in 0..<geo.kw {
                    let wv = w[ch * kk + i * geo.kw + j]
                    let cols = geo.validColumns(j)
                    var acc: Float = 0
                    for oy in 0..<geo.oh {
                        let iy = oy * geo.sh - geo.padTop + i * geo.dh
                        guard iy >= 0 && iy < geo.h else { continue }
                        let off = iy * geo.w + j * geo.dw - geo.padLeft, gr = g + oy * geo.ow
                        let src = xin + off
                        for ox in cols { acc += gr[ox] * src[ox * geo.sw] }
                        if let dxin {
                            let dst = dxin + off
                            for ox in cols { dst[ox * geo.sw] += wv * gr[ox] }
                        }
                    }
                    if let dW { dW[ch * kk + i * geo.kw + j] += acc }
                }
            }
        }
    }
}
