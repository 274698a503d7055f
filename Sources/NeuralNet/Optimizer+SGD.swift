/// Stochastic gradient descent as PyTorch's `torch.optim.SGD` defines it:
/// `g += weightDecay * p`; with momentum, `buf = g` on the first step, else
/// `buf = momentum * buf + (1 - dampening) * g`; then `g = g + momentum * buf`
/// (Nesterov) or `g = buf`; `p -= lr * g`.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum, dampening, weightDecay: Float
    public let nesterov: Bool
    private let params: [Variable]
    private var slots: SlotStore

    public init(parameters: [(name: String, variable: Variable)], learningRate: Float, momentum: Float = 0,
                dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum needs momentum > 0 and zero dampening")
        self.learningRate = learningRate; self.momentum = momentum; self.dampening = dampening
        self.nesterov = nesterov; self.weightDecay = weightDecay
        params = parameters.map(\.variable)
        slots = SlotStore(names: parameters.map(\.name), slotNames: ["momentum_buffer"])
    }

    public func step() {
        let lr = learningRate
        for (i, p) in params.enumerated() {
            guard var g = p.grad else { continue }
            if weightDecay != 0 { g = zipMap(g, p.value) { $0 + weightDecay * $1 } }
            if momentum != 0 {
                var buf: Tensor
                if let old = slots.slots[0][i] {
                    buf = zipMap(old, g) { momentum * $0 + (1 - dampening) * $1 }
                } else {
                    buf = g
                }
                slots.slots[0][i] = buf
                g = nesterov ? zipMap(g, buf) { $0 + momentum * $1 } : buf
            }
            p.value = zipMap(p.value, g) { $0 - lr * $1 }
        }
    }

    public func exportState() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        slots.export(into: &state)
        return state
    }

    public func importState(_ state: [String: Tensor]) throws {
        try slots.load(state, shapes: params.map(\.shape))
    }
}
