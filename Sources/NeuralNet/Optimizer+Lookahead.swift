/// Lookahead (Zhang, Lucas, Hinton & Ba 2019, Algorithm 1) around any
/// optimizer: slow weights start as the parameters' values when the wrapper
/// is made; after every `k` inner steps, `slow += alpha * (fast - slow)` and
/// the parameters (fast weights) are reset to `slow`.
public final class Lookahead: Optimizer {
    public let inner: Optimizer
    public let k: Int
    public let alpha: Float
    /// Inner steps taken so far.
    public private(set) var stepCount = 0
    private let params: [Variable]
    private var slow: SlotStore

    public init(_ inner: Optimizer, parameters: [(name: String, variable: Variable)], k: Int = 5, alpha: Float = 0.5) {
        precondition(k >= 1 && alpha > 0 && alpha <= 1, "lookahead needs k >= 1 and 0 < alpha <= 1")
        self.inner = inner; self.k = k; self.alpha = alpha
        params = parameters.map(\.variable)
        slow = SlotStore(names: parameters.map(\.name), slotNames: ["lookahead_slow"])
        slow.slots[0] = params.map { $0.value }
    }

    public var learningRate: Float {
        get { inner.learningRate }
        set { inner.learningRate = newValue }
    }

    public func step() {
        inner.step()
        stepCount += 1
        guard stepCount % k == 0 else { return }
        let a = alpha
        for (i, p) in params.enumerated() {
            var s = slow.slots[0][i]!
            slow.slots[0][i] = nil  // leaves `s` uniquely referenced, so it updates in place
            s.withUnsafeMutableBufferPointer { sv in p.value.withUnsafeMutableBufferPointer { fv in
                let (sp, fp) = (sv.baseAddress!, fv.baseAddress!)
                Compute.current.parallelRanges(sv.count) { range in
                    for j in range {
                        sp[j] = sp[j] + a * (fp[j] - sp[j])
                        fp[j] = sp[j]
                    }
                }
            }}
            slow.slots[0][i] = s
        }
    }

    public func exportState() -> [String: Tensor] {
        var state = inner.exportState()
        state["lookahead_step"] = Tensor(scalar: Float(stepCount))
        slow.export(into: &state)
        return state
    }

    public func importState(_ state: [String: Tensor]) throws {
        try inner.importState(state)
        stepCount = Int(try scalarState(state, "lookahead_step"))
        try slow.load(state, shapes: params.map(\.shape))
        for i in params.indices where slow.slots[0][i] == nil { slow.slots[0][i] = params[i].value }
    }
}
