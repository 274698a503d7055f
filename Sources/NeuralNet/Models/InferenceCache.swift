/// Eval-mode state shared by a model's layers: in eval mode the layers run
/// on non-trainable copies of their parameters (so no graph is recorded, as
/// under `torch.inference_mode()`) and on convolution weights with batch norm
/// folded in, computed once per `generation`. The model bumps the generation
/// whenever weights may have changed (a training forward, a load).
final class InferenceCache {
    let store: ParameterStore
    private(set) var generation = 0

    init(store: ParameterStore) { self.store = store }

    /// True when layers should take the eval fast path.
    var inference: Bool { !store.training }

    /// Marks every folded weight stale.
    func invalidate() { generation &+= 1 }

    /// `v` itself when training, else a leaf that shares its value and needs no gradient.
    func use(_ v: Variable) -> Variable { inference ? Variable(v.value) : v }
    func use(_ v: Variable?) -> Variable? { v.map(use) }
}

/// `conv` then `bn` (eval statistics) as one convolution: weight scaled per
/// output channel by `gamma / sqrt(var + eps)`, bias `beta - mean * scale`
/// (plus the scaled conv bias, when there is one).
func foldBatchNorm(weight: Tensor, bias: Tensor?, bn: BatchNorm2d) -> (weight: Tensor, bias: Tensor) {
    let o = weight.shape[0], per = weight.count / max(o, 1)
    var w = weight
    var b = Tensor(shape: [o])
    let gamma = bn.weight.value.storage, beta = bn.bias.value.storage
    let mean = bn.runningMean.value.storage, variance = bn.runningVar.value.storage
    w.withUnsafeMutableBufferPointer { wv in
        for ch in 0..<o {
            let scale = gamma[ch] / (variance[ch] + bn.eps).squareRoot()
            for i in ch * per..<(ch + 1) * per { wv[i] *= scale }
            b.storage[ch] = beta[ch] + ((bias?.storage[ch] ?? 0) - mean[ch]) * scale
        }
    }
    return (w, b)
}
