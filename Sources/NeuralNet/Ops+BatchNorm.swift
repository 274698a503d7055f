import NeuralNetKernels

/// Batch normalisation over `[n, c, h, w]` (or `[n, c]`) per channel (PyTorch `F.batch_norm`),
/// optionally followed by `+ residual` and an activation, all in one pass:
/// `activation(batch_norm(x) + residual)`, the same values (bit for bit) as the three ops apart.
///
/// Training: normalises with the batch mean and biased variance, and, when
/// running buffers are given, updates them as PyTorch does:
/// `running = (1 - momentum) * running + momentum * batch`, using the
/// unbiased variance (`* m / (m - 1)`, `m = n*h*w`) for `runningVar`.
/// Eval: normalises with the running buffers. `weight`/`bias` `[c]` are optional (affine).
/// Channels run in parallel; each channel's sums run in a fixed order.
/// ReLU's gate is applied inside the backward's passes (no separate mask pass);
/// SiLU runs as its own op after the fused normalisation and residual.
public func batchNorm2d(_ x: Variable, weight: Variable?, bias: Variable?,
                        runningMean: Buffer?, runningVar: Buffer?, training: Bool,
                        momentum: Float = 0.1, eps: Float = 1e-5,
                        residual: Variable? = nil, activation: Activation = .identity) -> Variable {
    if activation == .silu {
        return activation(batchNorm2d(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                      training: training, momentum: momentum, eps: eps, residual: residual))
    }
    let s = x.shape
    precondition(s.count == 4 || s.count == 2, "batchNorm2d wants [n, c, h, w], got \(s)")
    precondition(training || (runningMean != nil && runningVar != nil), "batchNorm2d in eval mode needs running statistics")
    precondition(residual == nil || residual!.shape == s, "batchNorm2d: residual \(residual!.shape) for input \(s)")
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
    let relu = activation == .relu
    var y = Tensor(uninitializedShape: s)
    layout.normalize(x.value, residual: residual?.value, relu: relu, into: &y) { ch in
        let a = Float(stats.invStd[ch]) * gamma[ch]
        return (a, beta[ch] - Float(stats.mean[ch]) * a)
    }
    let parents = [x] + [weight, bias, residual].compactMap { $0 }
    return Variable(value: y, parents: parents) { gy in
        // The gradient at the normalisation's output is gy where the ReLU passed (y > 0), else 0.
        // A residual that needs it gets it as a tensor; otherwise the gate is applied on the fly.
        var gated: Tensor? = nil
        if residual?.requiresGrad == true { gated = relu ? VectorMath.zipMap(gy, y, reluGate) : gy }
        let g = gated ?? gy, gate = relu && gated == nil ? y : nil
        let (sumG, sumGX) = layout.gradientSums(g, x.value, stats, reluOutput: gate)
        var dx: Tensor? = nil
        if x.requiresGrad {
            let m = Double(layout.n * layout.plane)
            var out = Tensor(uninitializedShape: s)
            layout.inputGradient(g, x.value, reluOutput: gate, training: training, into: &out) { ch in
                let inv = Float(stats.invStd[ch])
                return training ? .init(scale: gamma[ch] * inv, mean: Float(stats.mean[ch]), invStd: inv,
                                        meanG: Float(sumG[ch] / m), meanGX: Float(sumGX[ch] / m))
                                : .init(scale: gamma[ch] * inv)
            }
            dx = out
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(Tensor(shape: [layout.c], storage: sumGX.map { Float($0) })) }
        if bias != nil { grads.append(Tensor(shape: [layout.c], storage: sumG.map { Float($0) })) }
        if residual != nil { grads.append(gated) }
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

    /// Per channel: sum(g) and sum(g * xhat), where g is `gy` gated by `reluOutput > 0` when given.
    func gradientSums(_ gy: Tensor, _ x: Tensor, _ stats: ChannelStatistics, reluOutput: Tensor? = nil) -> ([Double], [Double]) {
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        let gate = reluOutput ?? Tensor(shape: [0])
        sumG.withUnsafeMutableBufferPointer { sg in sumGX.withUnsafeMutableBufferPointer { sgx in
        gy.withUnsafeBufferPointer { g in x.withUnsafeBufferPointer { xv in gate.withUnsafeBufferPointer { yv in
            let (gp, xp, sgp, sgxp) = (g.baseAddress!, xv.baseAddress!, sg.baseAddress!, sgx.baseAddress!)
            let yp = reluOutput == nil ? nil : yv.baseAddress
            forEachPlane { ch, offsets in
                let mu = Float(stats.mean[ch]), inv = Float(stats.invStd[ch]), muLanes = SIMD8(repeating: mu)
                for off in offsets {
                    let g = gp + off, x = xp + off
                    let sum: Float, b: Float
                    if let y = yp.map({ $0 + off }) {
                        sum = laneSum(plane, { reluGate(lanes(g + $0), lanes(y + $0)) }, { y[$0] > 0 ? g[$0] : 0 })
                        b = laneSum(plane, { reluGate(lanes(g + $0), lanes(y + $0)) * (lanes(x + $0) - muLanes) },
                                    { (y[$0] > 0 ? g[$0] : 0) * (x[$0] - mu) })
                    } else {
                        sum = planeSum(g, plane)
                        b = laneSum(plane, { lanes(g + $0) * (lanes(x + $0) - muLanes) }, { g[$0] * (x[$0] - mu) })
                    }
                    sgp[ch] += Double(sum); sgxp[ch] += Double(b * inv)
                }
            }
        }}}}}
        return (sumG, sumGX)
    }

    /// `y = x * a + b (+ residual)`, then ReLU when `relu`, with `(a, b)` per channel from `coefficients`.
    func normalize(_ x: Tensor, residual: Tensor?, relu: Bool, into y: inout Tensor,
                   _ coefficients: (Int) -> (a: Float, b: Float)) {
        let r = residual ?? Tensor(shape: [0])
        x.withUnsafeBufferPointer { xv in r.withUnsafeBufferPointer { rv in y.withUnsafeMutableBufferPointer { yv in
            let (xp, rp, yp) = (xv.baseAddress!, residual == nil ? nil : rv.baseAddress, yv.baseAddress!)
            forEachPlane { ch, offsets in
                let (a, b) = coefficients(ch)
                let (av, bv) = (SIMD8(repeating: a), SIMD8(repeating: b))
                for off in offsets {
                    let (x, y) = (xp + off, yp + off)
                    switch (rp.map { $0 + off }, relu) {
                    case let (r?, true): laneLoop(plane, { LaneMath.store(reluLanes(lanes(x + $0) * av + bv + lanes(r + $0)), y + $0) },
                                                  { y[$0] = max(x[$0] * a + b + r[$0], 0) })
                    case let (r?, false): laneLoop(plane, { LaneMath.store(lanes(x + $0) * av + bv + lanes(r + $0), y + $0) },
                                                   { y[$0] = x[$0] * a + b + r[$0] })
                    case (nil, true): laneLoop(plane, { LaneMath.store(reluLanes(lanes(x + $0) * av + bv), y + $0) }, { y[$0] = max(x[$0] * a + b, 0) })
                    case (nil, false): laneLoop(plane, { LaneMath.store(lanes(x + $0) * av + bv, y + $0) }, { y[$0] = x[$0] * a + b })
                    }
                }
            }
        }}}
    }

    /// Per-channel terms of the input gradient: `scale = gamma * invStd`, and in training
    /// the batch mean, `invStd`, mean(g) and mean(g * xhat).
    struct InputGradientTerms { var scale: Float, mean: Float = 0, invStd: Float = 0, meanG: Float = 0, meanGX: Float = 0 }

    /// dL/dx from g (`gy` gated by `reluOutput > 0` when given): in training
    /// `scale * (g - mean(g) - xhat * mean(g * xhat))`, in eval `scale * g`.
    func inputGradient(_ gy: Tensor, _ x: Tensor, reluOutput: Tensor?, training: Bool, into out: inout Tensor,
                       _ terms: (Int) -> InputGradientTerms) {
        let gate = reluOutput ?? Tensor(shape: [0])
        gy.withUnsafeBufferPointer { gv in x.withUnsafeBufferPointer { xv in gate.withUnsafeBufferPointer { yv in
        out.withUnsafeMutableBufferPointer { ov in
            let (gp, xp, op) = (gv.baseAddress!, xv.baseAddress!, ov.baseAddress!)
            let yp = reluOutput == nil ? nil : yv.baseAddress
            forEachPlane { ch, offsets in
                let t = terms(ch)
                let (scale, meanG, mean, invStd, meanGX) = (SIMD8(repeating: t.scale), SIMD8(repeating: t.meanG), SIMD8(repeating: t.mean),
                                                            SIMD8(repeating: t.invStd), SIMD8(repeating: t.meanGX))
                for off in offsets {
                    let (g, x, dx) = (gp + off, xp + off, op + off)
                    switch (yp.map { $0 + off }, training) {
                    case let (y?, true):
                        laneLoop(plane, {
                            LaneMath.store(scale * (reluGate(lanes(g + $0), lanes(y + $0)) - meanG - (lanes(x + $0) - mean) * invStd * meanGX), dx + $0)
                        }, { dx[$0] = t.scale * ((y[$0] > 0 ? g[$0] : 0) - t.meanG - (x[$0] - t.mean) * t.invStd * t.meanGX) })
                    case (nil, true):
                        laneLoop(plane, { LaneMath.store(scale * (lanes(g + $0) - meanG - (lanes(x + $0) - mean) * invStd * meanGX), dx + $0) },
                                 { dx[$0] = t.scale * (g[$0] - t.meanG - (x[$0] - t.mean) * t.invStd * t.meanGX) })
                    case let (y?, false):
                        laneLoop(plane, { LaneMath.store(scale * reluGate(lanes(g + $0), lanes(y + $0)), dx + $0) },
                                 { dx[$0] = t.scale * (y[$0] > 0 ? g[$0] : 0) })
                    case (nil, false): laneLoop(plane, { LaneMath.store(scale * lanes(g + $0), dx + $0) }, { dx[$0] = t.scale * g[$0] })
                    }
                }
            }
        }}}}
    }

    /// Calls `body(channel, offsets of that channel's planes)` for every channel, channels in parallel.
    func forEachPlane(_ body: (Int, StrideTo<Int>) -> Void) {
        Compute.current.parallelRanges(c, costPerItem: n * plane) { channels in
            for ch in channels { body(ch, stride(from: ch * plane, to: n * c * plane, by: c * plane)) }
        }
    }
}

/// The sum of `count` floats at `p` (`laneSum` order).
@inline(__always) func planeSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    laneSum(count, { lanes(p + $0) }, { p[$0] })
}
