import Foundation

/// Batch normalisation over `[n, c, h, w]` per channel (PyTorch `F.batch_norm`).
///
/// Training: normalises with the batch mean and biased variance, and, when
/// running buffers are given, updates them as PyTorch does:
/// `running = (1 - momentum) * running + momentum * batch`, using the
/// unbiased variance (`* m / (m - 1)`, `m = n*h*w`) for `runningVar`.
/// Eval: normalises with the running buffers. `weight`/`bias` `[c]` are optional (affine).
public func batchNorm2d(_ x: Variable, weight: Variable?, bias: Variable?,
                        runningMean: Buffer?, runningVar: Buffer?, training: Bool,
                        momentum: Float = 0.1, eps: Float = 1e-5) -> Variable {
    let s = x.shape
    precondition(s.count == 4 || s.count == 2, "batchNorm2d wants [n, c, h, w], got \(s)")
    let n = s[0], c = s[1], plane = s.count == 4 ? s[2] * s[3] : 1, m = n * plane
    let (mean, invStd) = training
        ? batchStatistics(x.value, n: n, c: c, plane: plane, eps: eps)
        : runningStatistics(runningMean!, runningVar!, eps: eps)
    if training, let runningMean, let runningVar {
        for ch in 0..<c {
            let variance = 1 / (invStd[ch] * invStd[ch]) - Double(eps)
            let unbiased = m > 1 ? variance * Double(m) / Double(m - 1) : variance
            runningMean.value.storage[ch] = (1 - momentum) * runningMean.value.storage[ch] + momentum * Float(mean[ch])
            runningVar.value.storage[ch] = (1 - momentum) * runningVar.value.storage[ch] + momentum * Float(unbiased)
        }
    }
    let gamma = weight?.value.storage ?? [Float](repeating: 1, count: c)
    let beta = bias?.value.storage ?? [Float](repeating: 0, count: c)
    var y = Tensor(shape: s)
    forEachChannelPlane(n: n, c: c, plane: plane, x.value, &y) { ch, src, dst in
        let a = Float(invStd[ch]) * gamma[ch], b = beta[ch] - Float(mean[ch]) * a
        for i in 0..<plane { dst[i] = src[i] * a + b }
    }
    var parents = [x]
    if let weight { parents.append(weight) }
    if let bias { parents.append(bias) }
    return Variable(value: y, parents: parents) { gy in
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        gy.withUnsafeBufferPointer { g in x.value.withUnsafeBufferPointer { xv in
            for img in 0..<n { for ch in 0..<c {
                let off = (img * c + ch) * plane, mu = Float(mean[ch]), inv = Float(invStd[ch])
                var sg: Float = 0, sgx: Float = 0
                for i in 0..<plane { sg += g[off + i]; sgx += g[off + i] * (xv[off + i] - mu) * inv }
                sumG[ch] += Double(sg); sumGX[ch] += Double(sgx)
            }}
        }}
        var dx: Tensor? = nil
        if x.requiresGrad {
            var out = Tensor(shape: s)
            gy.withUnsafeBufferPointer { g in x.value.withUnsafeBufferPointer { xv in out.withUnsafeMutableBufferPointer { dv in
                for img in 0..<n { for ch in 0..<c {
                    let off = (img * c + ch) * plane
                    let inv = Float(invStd[ch]), mu = Float(mean[ch]), scale = gamma[ch] * inv
                    let mg = Float(sumG[ch] / Double(m)), mgx = Float(sumGX[ch] / Double(m))
                    if training {
                        for i in off..<off + plane { dv[i] = scale * (g[i] - mg - (xv[i] - mu) * inv * mgx) }
                    } else {
                        for i in off..<off + plane { dv[i] = scale * g[i] }
                    }
                }}
            }}}
            dx = out
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(Tensor(shape: [c], storage: sumGX.map { Float($0) })) }
        if bias != nil { grads.append(Tensor(shape: [c], storage: sumG.map { Float($0) })) }
        return grads
    }
}

/// Per-channel mean and 1/sqrt(biased variance + eps), accumulated in Double (two passes).
func batchStatistics(_ x: Tensor, n: Int, c: Int, plane: Int, eps: Float) -> ([Double], [Double]) {
    var mean = [Double](repeating: 0, count: c), invStd = [Double](repeating: 0, count: c)
    let m = Double(n * plane)
    x.withUnsafeBufferPointer { xv in
        for ch in 0..<c {
            var s = 0.0
            for img in 0..<n { let off = (img * c + ch) * plane; for i in 0..<plane { s += Double(xv[off + i]) } }
            let mu = s / m
            var v = 0.0
            for img in 0..<n {
                let off = (img * c + ch) * plane
                for i in 0..<plane { let d = Double(xv[off + i]) - mu; v += d * d }
            }
            mean[ch] = mu
            invStd[ch] = 1 / (v / m + Double(eps)).squareRoot()
        }
    }
    return (mean, invStd)
}

private func runningStatistics(_ mean: Buffer, _ variance: Buffer, eps: Float) -> ([Double], [Double]) {
    (mean.value.storage.map { Double($0) }, variance.value.storage.map { 1 / (Double($0) + Double(eps)).squareRoot() })
}

/// Calls `body(channel, source plane, destination plane)` for every image and channel.
func forEachChannelPlane(n: Int, c: Int, plane: Int, _ x: Tensor, _ y: inout Tensor,
                         _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
    x.withUnsafeBufferPointer { xv in y.withUnsafeMutableBufferPointer { yv in
        for img in 0..<n { for ch in 0..<c {
            let off = (img * c + ch) * plane
            body(ch, xv.baseAddress! + off, yv.baseAddress! + off)
        }}
    }}
}
