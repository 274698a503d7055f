import Foundation

/// A learning rate as a pure function of the step (0-based), matching
/// PyTorch's schedulers stepped once per optimizer step.
public indirect enum LearningRateSchedule: Sendable, Hashable {
    /// The base rate throughout.
    case constant
    /// `StepLR`: `base * gamma^(step / size)`.
    case step(size: Int, gamma: Float)
    /// `CosineAnnealingLR`: `minLR + (base - minLR) * (1 + cos(pi * step / total)) / 2`.
    case cosine(total: Int, minLR: Float = 0)
    /// `OneCycleLR` (cosine annealing, two phases): from `base / divFactor` up to
    /// `base` over the first `pctStart` of `total` steps, then down to
    /// `base / divFactor / finalDivFactor`.
    case oneCycle(total: Int, pctStart: Float = 0.3, divFactor: Float = 25, finalDivFactor: Float = 1e4)
    /// `LinearLR` warm-up: the inner schedule times a factor rising linearly
    /// from `startFactor` to 1 over `steps` steps.
    case warmup(steps: Int, startFactor: Float, then: LearningRateSchedule)

    /// The rate at `step` for base (or, for one-cycle, maximum) rate `base`.
    public func learningRate(base: Float, step: Int) -> Float {
        let b = Double(base), t = Double(step)
        switch self {
        case .constant:
            return base
        case .step(let size, let gamma):
            return Float(b * pow(Double(gamma), Double(step / size)))
        case .cosine(let total, let minLR):
            let m = Double(minLR)
            return Float(m + (b - m) * (1 + cos(Double.pi * t / Double(total))) / 2)
        case .oneCycle(let total, let pctStart, let divFactor, let finalDivFactor):
            let initial = b / Double(divFactor), final = initial / Double(finalDivFactor)
            let peak = Double(Float(pctStart) * Float(total)) - 1, end = Double(total - 1)
            func anneal(_ from: Double, _ to: Double, _ pct: Double) -> Double { to + (from - to) / 2 * (cos(Double.pi * pct) + 1) }
            if t <= peak { return Float(anneal(initial, b, t / peak)) }
            return Float(anneal(b, final, (t - peak) / (end - peak)))
        case .warmup(let steps, let startFactor, let then):
            let f = Double(startFactor) + (1 - Double(startFactor)) * min(t, Double(steps)) / Double(steps)
            return Float(Double(then.learningRate(base: base, step: step)) * f)
        }
    }
}

/// Scales every gradient by `min(1, maxNorm / (norm + 1e-6))`, where `norm` is
/// the L2 norm of all gradients together (PyTorch `clip_grad_norm_`). Returns `norm`.
@discardableResult
public func clipGradNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
    var sq = 0.0
    for p in parameters {
        p.grad?.withUnsafeBufferPointer { g in for v in g { sq += Double(v) * Double(v) } }
    }
    let norm = Float(sq.squareRoot())
    let coef = min(1, maxNorm / (norm + 1e-6))
    if coef < 1 {
        for p in parameters { p.grad?.updateInPlace { $0 * coef } }
    }
    return norm
}

/// Clamps every gradient element to `[-limit, limit]` (PyTorch `clip_grad_value_`).
public func clipGradValue(_ parameters: [Variable], limit: Float) {
    for p in parameters { p.grad?.updateInPlace { min(max($0, -limit), limit) } }
}

extension Tensor {
    /// `self[i] = f(self[i])` for every element, without allocating when the storage is not shared.
    @inline(__always) mutating func updateInPlace(_ f: (Float) -> Float) {
        withUnsafeMutableBufferPointer { b in
            let p = b.baseAddress
            Compute.current.parallelRanges(b.count) { r in for i in r { p![i] = f(p![i]) } }
        }
    }
}
