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

    /// Updates every parameter (and its momentum buffer) in place: no tensor is
    /// allocated per step once the buffers exist.
    public func step() {
        for (i, p) in params.enumerated() {
            guard let g = p.grad else { continue }
            guard momentum != 0 else {
                update(&p.value, g, buffer: nil, first: false)
                continue
            }
            let first = slots.slots[0][i] == nil
            var buf = slots.slots[0][i] ?? Tensor(uninitializedShape: p.shape)
            slots.slots[0][i] = nil  // leaves `buf` uniquely referenced, so it updates in place
            buf.withUnsafeMutableBufferPointer { b in update(&p.value, g, buffer: b.baseAddress!, first: first) }
            slots.slots[0][i] = buf
        }
    }

    /// One parameter's update, element by element in the order PyTorch's
    /// formula gives; `buffer` is its momentum buffer (nil without momentum),
    /// whose old contents are ignored on the `first` step.
    private func update(_ value: inout Tensor, _ grad: Tensor, buffer: UnsafeMutablePointer<Float>?, first: Bool) {
        let (lr, mom, damp, wd, nesterov) = (learningRate, momentum, dampening, weightDecay, self.nesterov)
        value.withUnsafeMutableBufferPointer { pv in grad.withUnsafeBufferPointer { gv in
            let (pp, gp) = (pv.baseAddress!, gv.baseAddress!)
            Compute.current.parallelRanges(pv.count) { range in
                for j in range {
                    var g = gp[j]
                    if wd != 0 { g = g + wd * pp[j] }
                    if let buffer {
                        buffer[j] = first ? g : mom * buffer[j] + (1 - damp) * g
                        g = nesterov ? g + mom * buffer[j] : buffer[j]
                    }
                    pp[j] = pp[j] - lr * g
                }
            }
        }}
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
