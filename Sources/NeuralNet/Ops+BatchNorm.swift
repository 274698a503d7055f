/// Batch normalisation over `[n, c, h, w]` (or `[n, c]`) per channel (PyTorch `F.batch_norm`).
///
/// Training: normalises with the batch mean and biased variance, and, when
/// running buffers are given, updates them as PyTorch does:
/// `running = (1 - momentum) * running + momentum * batch`, using the
/// unbiased variance (`* m / (m - 1)`, `m = n*h*w`) for `runningVar`.
/// Eval: normalises with the running buffers. `weight`/`bias` `[c]` are optional (affine).
/// Channels run in parallel; each channel's sums run in a fixed order.
public func batchNorm2d(_ x: Variable, weight: Variable?, bias: Variable?,
                        runningMean: Buffer?, runningVar: Buffer?, training: Bool,
                        momentum: Float = 0.1, eps: Float = 1e-5) -> Variable {
    let s = x.shape
    precondition(s.count == 4 || s.count == 2, "batchNorm2d wants [n, c, h, w], got \(s)")
    precondition(training || (runningMean != nil && runningVar != nil), "batchNorm2d in eval mode needs running statistics")
    let layout = ChannelLayout(n: s[0], c: s[1], plane: s.count == 4 ? s[2] * s[3] : 1)
    let stats = training ? layout.batchStatistics(x.value, eps: eps)
                         : ChannelStatistics(running: runningMean!.value, runningVar!.value, eps: eps)
    if training, let runningMean, let runningVar {
        let m = Double(layout.n * layout.plane)
        for ch in 0..<layout.c {
            let unbiased = m > 1 ? stats.variance[ch] * m / (m - 1) : stats.variance[ch]
            runningMean.value.storage[ch] = (1 - momentum) * runningMean.value.storage[ch] + momentum * Float(stats.mean[ch])
            runningVar.value.storage[ch] = (1 - momentum) * runningVar.value.storage[ch] + momentum * Float(unbiased)
        }
    }
    let gamma = weight?.value.storage ?? [Float](repeating: 1, count: layout.c)
    let beta = bias?.value.storage ?? [Float](repeating: 0, count: layout.c)
    var y = Tensor(uninitializedShape: s)
    layout.forEachPlane(x.value, nil, &y) { ch, src, _, dst in
        let a = Float(stats.invStd[ch]) * gamma[ch], b = beta[ch] - Float(stats.mean[ch]) * a
        for i in 0..<layout.plane { dst[i] = src[i] * a + b }
    }
    var parents = [x]
    if let weight { parents.append(weight) }
    if let bias { parents.append(bias) }
    return Variable(value: y, parents: parents) { gy in
        let (sumG, sumGX) = layout.gradientSums(gy, x.value, stats)
        var dx: Tensor? = nil
        if x.requiresGrad {
            let m = Double(layout.n * layout.plane)
            var out = Tensor(uninitializedShape: s)
            layout.forEachPlane(x.value, gy, &out) { ch, src, g, dst in
                let g = g!, inv = Float(stats.invStd[ch]), mu = Float(stats.mean[ch]), scale = gamma[ch] * inv
                if training {
                    let mg = Float(sumG[ch] / m), mgx = Float(sumGX[ch] / m)
                    for i in 0..<layout.plane { dst[i] = scale * (g[i] - mg - (src[i] - mu) * inv * mgx) }
                } else {
                    for i in 0..<layout.plane { dst[i] = scale * g[i] }
                }
            }
            dx = out
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(Tensor(shape: [layout.c], storage: sumGX.map { Float($0) })) }
        if bias != nil { grads.append(Tensor(shape: [layout.c], storage: sumG.map { Float($0) })) }
        return grads
    }
}

/// Per-channel mean, biased variance and 1/sqrt(variance + eps).
struct ChannelStatistics {
    var mean, variance, invStd: [Double]

    init(mean: [Double], variance: [Double], eps: Float) {
        self.mean = mean
        self.variance = variance
        invStd = variance.map { 1 / ($0 + Double(eps)).squareRoot() }
    }

    init(running mean: Tensor, _ variance: Tensor, eps: Float) {
        self.init(mean: mean.storage.map { Double($0) }, variance: variance.storage.map { Double($0) }, eps: eps)
    }
}

/// `[n, c, plane]` addressing with channel-parallel loops.
struct ChannelLayout {
    let n, c, plane: Int

    /// Mean and biased variance per channel: Float sums per plane, Double across planes, two passes.
    func batchStatistics(_ x: Tensor, eps: Float) -> ChannelStatistics {
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        let m = Double(n * plane)
        mean.withUnsafeMutableBufferPointer { mb in variance.withUnsafeMutableBufferPointer { vb in
        x.withUnsafeBufferPointer { xv in
            let (xp, mp, vp) = (xv.baseAddress!, mb.baseAddress!, vb.baseAddress!)
            Compute.current.parallelRanges(c, costPerItem: n * plane) { channels in
                for ch in channels {
                    var s = 0.0
                    for img in 0..<n { s += Double(planeSum(xp + (img * c + ch) * plane, plane)) }
                    let mu = s / m, muf = Float(mu)
                    var v = 0.0
                    let muLanes = SIMD8(repeating: muf)
                    for img in 0..<n {
                        let p = xp + (img * c + ch) * plane
                        v += Double(laneSum(plane, { let d = lanes(p + $0) - muLanes; return d * d }, { let d = p[$0] - muf; return d * d }))
                    }
                    mp[ch] = mu
                    vp[ch] = v / m
                }
            }
        }}}
        return ChannelStatistics(mean: mean, variance: variance, eps: eps)
    }

    /// Per channel: sum(g) and sum(g * xhat).
    func gradientSums(_ gy: Tensor, _ x: Tensor, _ stats: ChannelStatistics) -> ([Double], [Double]) {
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        sumG.withUnsafeMutableBufferPointer { sg in sumGX.withUnsafeMutableBufferPointer { sgx in
        gy.withUnsafeBufferPointer { g in x.withUnsafeBufferPointer { xv in
            let (gp, xp, sgp, sgxp) = (g.baseAddress!, xv.baseAddress!, sg.baseAddress!, sgx.baseAddress!)
            Compute.current.parallelRanges(c, costPerItem: n * plane) { channels in
                for ch in channels {
                    let mu = Float(stats.mean[ch]), inv = Float(stats.invStd[ch]), muLanes = SIMD8(repeating: mu)
                    for img in 0..<n {
                        let g = gp + (img * c + ch) * plane, x = xp + (img * c + ch) * plane
                        let b = laneSum(plane, { lanes(g + $0) * (lanes(x + $0) - muLanes) }, { g[$0] * (x[$0] - mu) })
                        sgp[ch] += Double(planeSum(g, plane)); sgxp[ch] += Double(b * inv)
                    }
                }
            }
        }}}}
        return (sumG, sumGX)
    }

    /// Calls `body(channel, x plane, other plane, output plane)` for every image and channel, channels in parallel.
    func forEachPlane(_ x: Tensor, _ other: Tensor?, _ y: inout Tensor,
                      _ body: (Int, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>) -> Void) {
        let o = other ?? Tensor(shape: [0])
        x.withUnsafeBufferPointer { xv in o.withUnsafeBufferPointer { ov in y.withUnsafeMutableBufferPointer { yv in
            let (xp, op, yp) = (xv.baseAddress!, other == nil ? nil : ov.baseAddress, yv.baseAddress!)
            Compute.current.parallelRanges(c, costPerItem: n * plane) { channels in
                for ch in channels { for img in 0..<n {
                    let off = (img * c + ch) * plane
                    body(ch, xp + off, op.map { $0 + off }, yp + off)
                }}
            }
        }}}
    }
}

/// The sum of `count` floats at `p` (`laneSum` order).
@inline(__always) func planeSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    laneSum(count, { lanes(p + $0) }, { p[$0] })
}
