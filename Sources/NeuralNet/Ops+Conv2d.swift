import NeuralNetKernels

/// 2-D convolution (PyTorch `F.conv2d`, cross-correlation) of `x` `[n, c, h, w]`
/// with `weight` `[o, c/groups, kh, kw]` and optional `bias` `[o]`, giving
/// `[n, o, oh, ow]`, then plus `residual` (the output's shape) and through
/// `activation`. Runs as im2col + sgemm per image and group (a 1x1 stride-1
/// convolution is a plain sgemm), and as direct loops when each group has
/// one input channel (depthwise). Batch-parallel per `Compute.current`.
/// When no gradient is needed, the residual and activation are applied in
/// the convolution's own pass (same values as the separate ops).
public func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil,
                   options: Conv2dOptions = Conv2dOptions(),
                   residual: Variable? = nil, activation: Activation = .identity) -> Variable {
    conv2d(x, weight: weight, bias: bias, options: options, residual: residual, activation: activation, prepared: nil)
}

/// `conv2d` reusing forms derived from `weight` in `prepared` (used only when no gradient is needed).
func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil, options: Conv2dOptions = Conv2dOptions(),
            residual: Variable? = nil, activation: Activation = .identity, prepared: PreparedWeights?) -> Variable {
    let plan = ConvPlan(input: x.shape, weight: weight.shape, options: options)
    if let bias { precondition(bias.shape == [plan.o], "conv2d bias \(bias.shape) for \(plan.o) output channels") }
    if let residual { precondition(residual.shape == plan.outputShape, "conv2d residual \(residual.shape) for output \(plan.outputShape)") }
    let needsGradient = [x, weight, bias, residual].contains { $0?.requiresGrad == true }
    if needsGradient && (residual != nil || activation != .identity) {
        let y = conv2d(x, weight: weight, bias: bias, options: options)
        return activation(residual.map { y + $0 } ?? y)
    }
    func run(_ r: UnsafePointer<Float>?) -> Tensor {
        plan.forward(x: x.value, weight: weight.value, bias: bias?.value, epilogue: ConvEpilogue(residual: r, activation: activation),
                     prepared: needsGradient ? nil : prepared)
    }
    let y = residual.map { $0.value.withUnsafeBufferPointer { run($0.baseAddress) } } ?? run(nil)
    guard needsGradient else { return Variable(y) }
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Variable(value: y, parents: parents) { gy in
        let g = plan.backward(gy: gy, x: x.value, weight: weight.value,
                              needX: x.requiresGrad, needWeight: weight.requiresGrad)
        let gb = bias.map { $0.requiresGrad ? plan.biasGradient(gy) : nil } ?? nil
        return bias == nil ? [g.x, g.weight] : [g.x, g.weight, gb]
    }
}

/// `conv2d(upsampleNearestConcat(x, skip, scale: scale), ...)`, or of
/// `upsampleNearest(x, scale: scale)` without a skip: a U-Net decoder block's
/// first convolution. When no gradient is needed and the direct 3x3 kernel or
/// the blocked Winograd kernel takes the convolution, the upsampled,
/// concatenated input is read from `x` and `skip` row by row as the kernel
/// pads or transforms it, and never stored.
public func conv2d(upsampling x: Variable, scale: Int = 2, concat skip: Variable?, weight: Variable, bias: Variable? = nil,
                   options: Conv2dOptions = Conv2dOptions(), activation: Activation = .identity) -> Variable {
    conv2d(upsampling: x, scale: scale, concat: skip, weight: weight, bias: bias, options: options, activation: activation, prepared: nil)
}

/// `conv2d(upsampling:...)` reusing forms derived from `weight` in `prepared` (used only when no gradient is needed).
func conv2d(upsampling x: Variable, scale: Int = 2, concat skip: Variable?, weight: Variable, bias: Variable? = nil,
            options: Conv2dOptions = Conv2dOptions(), activation: Activation = .identity, prepared: PreparedWeights?) -> Variable {
    let (n, h, w) = (x.shape[0], x.shape[2] * scale, x.shape[3] * scale)
    let plan = ConvPlan(input: [n, x.shape[1] + (skip?.shape[1] ?? 0), h, w], weight: weight.shape, options: options)
    let needsGradient = [x, skip, weight, bias].contains { $0?.requiresGrad == true }
    guard !needsGradient && (plan.usesWinogradBlocked || plan.usesDirectConv) else {
        let input = skip.map { upsampleNearestConcat(x, $0, scale: scale) } ?? upsampleNearest(x, scale: scale)
        return conv2d(input, weight: weight, bias: bias, options: options, activation: activation, prepared: prepared)
    }
    if let skip { precondition(skip.shape == [n, skip.shape[1], h, w], "conv2d: skip \(skip.shape) for upsampled \([n, x.shape[1], h, w])") }
    if let bias { precondition(bias.shape == [plan.o], "conv2d bias \(bias.shape) for \(plan.o) output channels") }
    let input = ConvPlan.ConvInput.upsampledConcat(x.value, skip: skip?.value, scale: scale)
    let epilogue = ConvEpilogue(residual: nil, activation: activation)
    if plan.usesWinogradBlocked {
        return Variable(plan.winogradBlockedForward(input: input, weight: weight.value, bias: bias?.value, epilogue: epilogue,
                                                    prepared: prepared))
    }
    return Variable(plan.directForwardBatch(input: input, weight: weight.value, bias: bias?.value, epilogue: epilogue))
}

/// Shapes and geometry of one convolution call.
struct ConvPlan {
    let n, c, o, groups, cg, og: Int
    let geo: ConvGeometry

    init(input: [Int], weight: [Int], options: Conv2dOptions) {
        precondition(input.count == 4 && weight.count == 4, "conv2d wants NCHW input and OIHW weight, got \(input) and \(weight)")
        n = input[0]; c = input[1]; o = weight[0]; groups = options.groups
        precondition(groups >= 1 && c % groups == 0 && o % groups == 0, "conv2d: \(c) in / \(o) out channels do not split into \(groups) groups")
        cg = c / groups; og = o / groups
        precondition(weight[1] == cg, "conv2d weight \(weight) for \(c) input channels in \(groups) groups")
        let k = Size2d(weight[2], weight[3])
        let pad = options.padding.resolve(h: input[2], w: input[3], kernel: k, stride: options.stride, dilation: options.dilation)
        geo = ConvGeometry(h: input[2], w: input[3], kh: k.h, kw: k.w, stride: (options.stride.h, options.stride.w),
                           padding: pad, dilation: (options.dilation.h, options.dilation.w))
        precondition(geo.oh > 0 && geo.ow > 0, "conv2d output would be empty for input \(input) and weight \(weight)")
    }

    var outputShape: [Int] { [n, o, geo.oh, geo.ow] }
    var kk: Int { geo.kh * geo.kw }
    var plane: Int { geo.oh * geo.ow }
    var inPlane: Int { geo.h * geo.w }
    var isDepthwise: Bool { cg == 1 && groups > 1 }

    /// The convolution of `x`; `prepared` keeps forms derived from `weight` between calls.
    func forward(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue = .none, prepared: PreparedWeights? = nil) -> Tensor {
        if usesDensePlane { return denseForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        if usesWinogradBlocked {
            return winogradBlockedForward(input: .planes(x), weight: weight, bias: bias, epilogue: epilogue, prepared: prepared)
        }
        if usesDirectConv { return directForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        if usesDepthwiseChannelsLast { return channelsLastForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        if usesDepthwiseKernel { return depthwiseKernelForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        if usesWinograd(preparedFilters: prepared != nil) {
            return winogradForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue, prepared: prepared)
        }
        if usesShiftedGemm { return shiftedForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        if imagesPerGemm > 0 { return batchedForwardBatch(x: x, weight: weight, bias: bias, epilogue: epilogue) }
        var y = Tensor(uninitializedShape: outputShape)
        let compute = Compute.current
        let colSize = geo.isIdentity || isDepthwise ? 0 : cg * kk * columnStride
        let workCount = compute.workers(for: n) * colSize
        x.withUnsafeBufferPointer { xb in weight.withUnsafeBufferPointer { wb in
        y.withUnsafeMutableBufferPointer { yb in Workspace.shared.with(count: workCount) { wsp in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, yp = yb.baseAddress!, ws = Optional(wsp)
            compute.forEachChunk(n) { worker, images in
                for img in images {
                    // sgemm with beta 0 overwrites; depthwise loops add into the output.
                    if let bias { fillBias(bias, yp + img * o * plane) } else if isDepthwise { (yp + img * o * plane).update(repeating: 0, count: o * plane) }
                    defer { if !epilogue.isNone { epilogue.apply(yp + img * o * plane, offset: img * o * plane, count: o * plane) } }
                    if isDepthwise { depthwiseForward(xp + img * c * inPlane, wp, yp + img * o * plane); continue }
                    for g in 0..<groups {
                        let xin = xp + (img * c + g * cg) * inPlane
                        var colp = UnsafePointer(xin), ldb = plane
                        if colSize > 0 {
                            geo.im2col(xin, channels: cg, ws! + worker * colSize, rowStride: columnStride)
                            colp = UnsafePointer(ws! + worker * colSize); ldb = columnStride
                        }
                        BLAS.sgemm(m: og, n: plane, k: cg * kk, a: wp + g * og * cg * kk, lda: cg * kk,
                                   b: colp, ldb: ldb, beta: bias == nil ? 0 : 1,
                                   c: yp + (img * o + g * og) * plane, ldc: plane)
                    }
                }
            }
        }}}}
        return y
    }

    private func shiftedForwardBatch(x: Tensor, weight: Tensor, bias: Tensor?, epilogue: ConvEpilogue) -> Tensor {
        var y = Tensor(uninitializedShape: outputShape)
        let compute = Compute.current, perWorker = paddedSize + wideOutSize
        let taps = tapMajorWeights(weight)
        x.withUnsafeBufferPointer { xb in taps.withUnsafeBufferPointer { tb in y.withUnsafeMutableBufferPointer { yb in
        Workspace.shared.with(count: compute.workers(for: n) * perWorker) { ws in
            let xp = xb.baseAddress!, tp = tb.baseAddress!, yp = yb.baseAddress!
            compute.forEachChunk(n) { worker, images in
                for img in images {
                    let yi = yp + img * o * plane
                    shiftedForward(xp + img * c * inPlane, tp, yi, ws + worker * perWorker)
                    guard bias != nil || !epilogue.isNone else { continue }
                    for ch in 0..<o {
                        epilogue.apply(yi + ch * plane, offset: (img * o + ch) * plane, count: plane, bias: bias?.storage[ch])
                    }
                }
            }
        }}}}
        return y
    }

    /// Floats from one row of an image's column matrix to the next.
    var columnStride: Int { ScratchStride.padded(plane) }

    private func fillBias(_ bias: Tensor, _ y: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { b in
            for ch in 0..<o { (y + ch * plane).update(repeating: b[ch], count: plane) }
        }
    }

    /// d/d(bias): the sum of `gy` over images and positions, per channel.
    func biasGradient(_ gy: Tensor) -> Tensor {
        var gb = Tensor(shape: [o])
        gy.withUnsafeBufferPointer { g in
            for ch in 0..<o {
                var s: Float = 0
                for img in 0..<n {
                    let p = g.baseAddress! + (img * o + ch) * plane
                    for i in 0..<plane { s += p[i] }
                }
                gb.storage[ch] = s
            }
        }
        return gb
    }
}
