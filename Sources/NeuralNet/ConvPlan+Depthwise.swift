import NeuralNetKernels

/// Depthwise convolutions (one input channel per group) through
/// NeuralNetKernels' AVX2 + FMA loops when the CPU has them. `DepthwiseConv`
/// runs plane by plane: the forward pass, and the backward pass as the
/// filter gradient per plane plus the input gradient as a stride-1
/// convolution of the spread-out output gradient with the taps turned half
/// round. Planes narrower than a vector run channels-last instead
/// (`DepthwiseChannelsLast`).
extension ConvPlan {
    /// True when the depthwise kernel applies and the CPU can run it.
    var usesDepthwiseKernel: Bool {
        KernelSupport.available && isDepthwise && geo.sh == geo.sw && geo.dh == geo.dw && DepthwiseConv.handles(stride: geo.sh)
    }

    /// The whole batch through `DepthwiseConv`, plane by plane, each plane
    /// finished (bias, epilogue) while it is in cache.
    func depthwiseKernelForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let g = depthwiseGeometry
        var y = Tensor(uninitializedShape: outputShape)
        let compute = Compute.current
        x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: n) * g.scratchCount) { ws in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(n) { worker, images in
                for img in images {
                    for ch in 0..<o {
                        let offset = (img * o + ch) * plane
                        DepthwiseConv.plane(xp + (img * c + ch / og) * inPlane, wp + ch * kk, yp + offset, g,
                                            scratch: ws + worker * g.scratchCount)
                        if bias != nil || !epilogue.isNone {
                            epilogue.apply(yp + offset, offset: offset, count: plane, bias: bias?.storage[ch])
                        }
                    }
                }
            }
        }}}}
        return y
    }

    /// True when the backward pass can take the kernel too (padding within the kernel's reach).
    var usesDepthwiseKernelBackward: Bool {
        usesDepthwiseKernel && DepthwiseConv.inputGradientGeometry(depthwiseGeometry) != nil
    }

    private var depthwiseGeometry: DepthwiseConv.Geometry {
        DepthwiseConv.Geometry(h: geo.h, w: geo.w, kh: geo.kh, kw: geo.kw, stride: geo.sh, dilation: geo.dh,
                               padTop: geo.padTop, padLeft: geo.padLeft, oh: geo.oh, ow: geo.ow)
    }

    /// Gradients of a depthwise convolution through the kernel, plane by plane.
    /// Each worker sums its images' filter gradients in its own partial; the
    /// partials are added in worker order.
    func depthwiseKernelBackwardBatch(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let g = depthwiseGeometry, compute = Compute.current, workers = compute.workers(for: n), wCount = weight.count
        let dxScratch = DepthwiseConv.inputGradientScratchCount(g)!, filterScratch = DepthwiseConv.filterGradientScratchCount(g)
        // The input gradient of a channel multiplier above 1 is summed over a temporary plane.
        let perWorker = max(dxScratch, filterScratch) + (og > 1 ? inPlane : 0) + kk * 8
        let dxShape = [n, c, geo.h, geo.w]
        var dx = !needX ? Tensor(shape: [0]) : og == 1 ? Tensor(uninitializedShape: dxShape) : Tensor(shape: dxShape)
        var partial = [Float](repeating: 0, count: needWeight ? workers * wCount : 0)
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        dx.withUnsafeMutableBufferPointer { dxb in partial.withUnsafeMutableBufferPointer { pb in
        Workspace.shared.with(count: workers * perWorker) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, wp = wb.baseAddress!, dxp = dxb.baseAddress, pp = pb.baseAddress
            compute.forEachChunk(n) { worker, images in
                let scratch = ws + worker * perWorker, sum = scratch + max(dxScratch, filterScratch), lanes = sum + (og > 1 ? inPlane : 0)
                // Channel by channel, so a filter's lanes add up over the worker's images before one horizontal sum.
                for ch in 0..<o {
                    if needWeight { lanes.update(repeating: 0, count: kk * 8) }
                    for img in images {
                        let gi = gp + (img * o + ch) * plane, input = (img * c + ch / og) * inPlane
                        if needWeight { DepthwiseConv.filterGradient(xp + input, gi, lanes: lanes, g, scratch: scratch) }
                        guard needX else { continue }
                        if og == 1 {
                            DepthwiseConv.inputGradient(gi, wp + ch * kk, dxp! + input, g, scratch: scratch)
                        } else {
                            DepthwiseConv.inputGradient(gi, wp + ch * kk, sum, g, scratch: scratch)
                            for i in 0..<inPlane { dxp![input + i] += sum[i] }
                        }
                    }
                    if needWeight { DepthwiseConv.sumLanes(lanes, taps: kk, into: pp! + worker * wCount + ch * kk) }
                }
            }
        }}}}}}
        return (needX ? dx : nil, needWeight ? sumWorkerPartials(partial, workers: workers, shape: weight.shape) : nil)
    }

    /// True when the planes are narrower than a vector and each filter has its
    /// own input channel: then `DepthwiseChannelsLast` runs the convolution.
    var usesDepthwiseChannelsLast: Bool { usesDepthwiseKernel && og == 1 && geo.ow < 8 }

    /// The weights as `DepthwiseChannelsLast` reads them: `kh * kw` rows of the padded channels.
    private func tapRows(_ weight: Tensor) -> [Float] {
        let cp = DepthwiseChannelsLast.paddedChannels(o)
        var rows = [Float](repeating: 0, count: kk * cp)
        for ch in 0..<o { for t in 0..<kk { rows[t * cp + ch] = weight.storage[ch * kk + t] } }
        return rows
    }

    /// The forward pass through `DepthwiseChannelsLast`, image by image: each
    /// worker turns its images channels-last, convolves, turns the result back
    /// and finishes each plane (bias, epilogue).
    func channelsLastForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        let g = depthwiseGeometry, cp = DepthwiseChannelsLast.paddedChannels(o), compute = Compute.current
        let perWorker = (inPlane + plane) * cp, taps = tapRows(weight)
        var y = Tensor(uninitializedShape: outputShape)
        x.withUnsafeBufferPointer { xb in taps.withUnsafeBufferPointer { tb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: n) * perWorker) { ws in
            let xp = xb.baseAddress!, tp = tb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(n) { worker, images in
                let rows = ws + worker * perWorker, out = rows + inPlane * cp
                for img in images {
                    DepthwiseChannelsLast.toChannelsLast(xp + img * c * inPlane, channels: c, positions: inPlane, rows)
                    DepthwiseChannelsLast.forward(rows, taps: tp, out, g, paddedChannels: cp)
                    DepthwiseChannelsLast.fromChannelsLast(out, channels: o, positions: plane, yp + img * o * plane)
                    guard bias != nil || !epilogue.isNone else { continue }
                    for ch in 0..<o {
                        let offset = (img * o + ch) * plane
                        epilogue.apply(yp + offset, offset: offset, count: plane, bias: bias?.storage[ch])
                    }
                }
            }
        }}}}
        return y
    }

    /// The backward pass through `DepthwiseChannelsLast`: each worker adds its
    /// images' filter gradients in one channels-last partial, turned back and
    /// summed in worker order.
    func channelsLastBackwardBatch(gy: Tensor, x: Tensor, weight: Tensor, needX: Bool, needWeight: Bool) -> (x: Tensor?, weight: Tensor?) {
        let g = depthwiseGeometry, cp = DepthwiseChannelsLast.paddedChannels(o), compute = Compute.current
        let workers = compute.workers(for: n), perWorker = (2 * inPlane + plane + kk) * cp, taps = tapRows(weight)
        var dx = needX ? Tensor(uninitializedShape: [n, c, geo.h, geo.w]) : Tensor(shape: [0])
        var partial = [Float](repeating: 0, count: needWeight ? workers * weight.count : 0)
        gy.withUnsafeBufferPointer { gb in x.withUnsafeBufferPointer { xb in taps.withUnsafeBufferPointer { tb in
        dx.withUnsafeMutableBufferPointer { dxb in partial.withUnsafeMutableBufferPointer { pb in
        Workspace.shared.with(count: workers * perWorker) { ws in
            let gp = gb.baseAddress!, xp = xb.baseAddress!, tp = tb.baseAddress!, dxp = dxb.baseAddress, pp = pb.baseAddress
            compute.forEachChunk(n) { worker, images in
                let xRows = ws + worker * perWorker, gRows = xRows + inPlane * cp, dxRows = gRows + plane * cp
                let dTaps = dxRows + inPlane * cp
                dTaps.update(repeating: 0, count: kk * cp)
                for img in images {
                    DepthwiseChannelsLast.toChannelsLast(xp + img * c * inPlane, channels: c, positions: inPlane, xRows)
                    DepthwiseChannelsLast.toChannelsLast(gp + img * o * plane, channels: o, positions: plane, gRows)
                    DepthwiseChannelsLast.backward(xRows, gRows, taps: tp, dTaps: needWeight ? dTaps : nil,
                                                   dx: needX ? dxRows : nil, g, paddedChannels: cp)
                    if needX { DepthwiseChannelsLast.fromChannelsLast(dxRows, channels: c, positions: inPlane, dxp! + img * c * inPlane) }
                }
                if needWeight {
                    let mine = pp! + worker * o * kk
                    for ch in 0..<o { for t in 0..<kk { mine[ch * kk + t] = dTaps[t * cp + ch] } }
                }
            }
        }}}}}}
        return (needX ? dx : nil, needWeight ? sumWorkerPartials(partial, workers: workers, shape: weight.shape) : nil)
    }
}
