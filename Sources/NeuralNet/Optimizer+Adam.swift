import Foundation
import NeuralNetKernels

/// Adam, and AdamW with `decoupledWeightDecay`, as PyTorch's `torch.optim.Adam`
/// / `AdamW` define them (no amsgrad): AdamW first scales `p *= 1 - lr * wd`,
/// Adam adds `wd * p` to the gradient; then `m = lerp(m, g, 1 - beta1)`,
/// `v = beta2 * v + (1 - beta2) * g^2`,
/// `p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1, beta2, eps, weightDecay: Float
    public let decoupledWeightDecay: Bool
    /// Steps taken (PyTorch's per-parameter `step`, shared here).
    public private(set) var stepCount = 0
    private let params: [Variable]
    private var slots: SlotStore

    public init(parameters: [(name: String, variable: Variable)], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay
        params = parameters.map(\.variable)
        slots = SlotStore(names: parameters.map(\.name), slotNames: ["exp_avg", "exp_avg_sq"])
    }

    /// AdamW (decoupled weight decay; PyTorch's default decay 0.01).
    public static func adamW(parameters: [(name: String, variable: Variable)], learningRate: Float = 1e-3,
                             beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let lr = learningRate
        let c1 = 1 - pow(Double(beta1), Double(stepCount)), c2 = 1 - pow(Double(beta2), Double(stepCount))
        let stepSize = Float(Double(lr) / c1), c2Sqrt = Float(c2.squareRoot())
        for (i, p) in params.enumerated() {
            guard let grad = p.grad else { continue }
            var m = slots.slots[0][i] ?? Tensor(shape: p.shape), v = slots.slots[1][i] ?? Tensor(shape: p.shape)
            // Taking the moments out of the store leaves them uniquely referenced, so they and the
            // parameter update in place: no tensor is allocated per step once the moments exist.
            slots.slots[0][i] = nil
            slots.slots[1][i] = nil
            update(&p.value, grad, &m, &v, lr: lr, stepSize: stepSize, c2Sqrt: c2Sqrt)
            slots.slots[0][i] = m
            slots.slots[1][i] = v
        }
    }

    private func update(_ value: inout Tensor, _ grad: Tensor, _ m: inout Tensor, _ v: inout Tensor,
                        lr: Float, stepSize: Float, c2Sqrt: Float) {
        let (b1, b2, eps, wd, decoupled) = (beta1, beta2, self.eps, weightDecay, decoupledWeightDecay)
        let kernels = KernelSupport.available
        value.withUnsafeMutableBufferPointer { pv in grad.withUnsafeBufferPointer { gv in
        m.withUnsafeMutableBufferPointer { mv in v.withUnsafeMutableBufferPointer { vv in
            let (p, g, m, v) = (pv.baseAddress!, gv.baseAddress!, mv.baseAddress!, vv.baseAddress!)
            // Without weight decay: eight lanes at a time, the same bits as the loop below.
            if wd == 0 {
                return Compute.current.parallelRanges(pv.count) { r in
                    let at = r.lowerBound
                    if kernels {
                        AdamMath.update(p + at, g + at, m + at, v + at, count: r.count, beta1: b1, beta2: b2,
                                        stepSize: stepSize, c2Sqrt: c2Sqrt, eps: eps)
                    } else {
                        AdamMath.updateSerially(p + at, g + at, m + at, v + at, count: r.count, beta1: b1, beta2: b2,
                                                stepSize: stepSize, c2Sqrt: c2Sqrt, eps: eps)
                    }
                }
            }
            Compute.current.parallelRanges(pv.count) { range in
                for i in range {
                    var gi = g[i]
                    if wd != 0 {
                        if decoupled { p[i] *= 1 - lr * wd } else { gi += wd * p[i] }
                    }
                    m[i] += (gi - m[i]) * (1 - b1)
                    v[i] = v[i] * b2 + (1 - b2) * gi * gi
                    p[i] -= stepSize * (m[i] / (v[i].squareRoot() / c2Sqrt + eps))
                }
            }
        }}}}
    }

    public func exportState() -> [String: Tensor] {
        var state = ["step": Tensor(scalar: Float(stepCount))]
        slots.export(into: &state)
        return state
    }

    public func importState(_ state: [String: Tensor]) throws {
        stepCount = Int(try scalarState(state, "step"))
        try slots.load(state, shapes: params.map(\.shape))
    }
}
