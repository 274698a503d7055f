/// 1 - soft Jaccard (IoU) of `sigmoid(logits)` and `target`, as Keras
/// segmentation_models' `JaccardLoss`: per channel,
/// `(sum(p*t) + smooth) / (sum(p) + sum(t) - sum(p*t) + smooth)`, the sums over
/// batch and space (`perImage: false`) or over space per image (`true`),
/// then averaged over channels (and images).
public func softJaccardLoss(_ logits: Variable, _ target: Tensor, perImage: Bool = false, smooth: Float = 1e-5) -> Variable {
    overlapLoss(logits, target, perImage: perImage) { i, p, t in
        let s = Double(smooth), u = p + t - i + s
        return ((i + s) / u, 1 / u + (i + s) / (u * u), -(i + s) / (u * u))
    }
}

/// 1 - soft Dice (F1) of `sigmoid(logits)` and `target`, as Keras
/// segmentation_models' `DiceLoss`: `(2*sum(p*t) + smooth) / (sum(p) + sum(t) + smooth)`,
/// grouped like `softJaccardLoss`.
public func softDiceLoss(_ logits: Variable, _ target: Tensor, perImage: Bool = false, smooth: Float = 1e-5) -> Variable {
    overlapLoss(logits, target, perImage: perImage) { i, p, t in
        let s = Double(smooth), d = p + t + s
        return ((2 * i + s) / d, 2 / d, -(2 * i + s) / (d * d))
    }
}

/// 1 - mean score over groups (channels, or image x channel); `score(I, P, T)`
/// returns the score and its partial derivatives in I = sum(p*t) and P = sum(p).
private func overlapLoss(_ logits: Variable, _ target: Tensor, perImage: Bool,
                         _ score: (Double, Double, Double) -> (Double, Double, Double)) -> Variable {
    let s = logits.shape
    precondition(s.count == 4 && target.shape == s, "overlap loss wants logits and target [n, c, h, w], got \(s) and \(target.shape)")
    let (n, c, plane) = (s[0], s[1], s[2] * s[3])
    let groups = perImage ? n * c : c
    let probs = map(logits.value, stableSigmoid)
    var sums = [(i: Double, p: Double, t: Double)](repeating: (0, 0, 0), count: groups)
    for img in 0..<n { for ch in 0..<c {
        let g = perImage ? img * c + ch : ch, off = (img * c + ch) * plane
        var i: Float = 0, p: Float = 0, t: Float = 0
        for k in off..<off + plane {
            i += probs.storage[k] * target.storage[k]; p += probs.storage[k]; t += target.storage[k]
        }
        sums[g].i += Double(i); sums[g].p += Double(p); sums[g].t += Double(t)
    }}
    let scored = sums.map { score($0.i, $0.p, $0.t) }
    let loss = 1 - scored.reduce(0.0) { $0 + $1.0 } / Double(groups)
    return Variable(value: Tensor(scalar: Float(loss)), parents: [logits]) { gy in
        var dx = Tensor(shape: s)
        let scale = -Double(gy.scalar) / Double(groups)
        for img in 0..<n { for ch in 0..<c {
            let (_, dI, dP) = scored[perImage ? img * c + ch : ch]
            let a = Float(scale * dI), b = Float(scale * dP), off = (img * c + ch) * plane
            for k in off..<off + plane {
                let p = probs.storage[k]
                dx.storage[k] = (a * target.storage[k] + b) * p * (1 - p)
            }
        }}
        return [dx]
    }
}
