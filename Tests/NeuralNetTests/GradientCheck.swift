import NeuralNet
import TestSupport

/// Random tensor with elements in [lo, hi), from a seeded generator.
func randomTensor(_ shape: [Int], _ rng: inout SeededRandom, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
    Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.float(lo, hi) })
}

/// Largest violation of |analytic - numeric| <= atol + rtol * |numeric| over
/// every input element (or `samples` of them), with the loss
/// `sum(f(inputs) * r)` for a fixed random `r`, central differences of step
/// `h` evaluated in Double. Returns the worst excess (<= 0 means pass).
func gradientCheck(_ inputs: [Tensor], samples: Int = 60, h: Float = 1e-2, atol: Double = 2e-4, rtol: Double = 1e-3,
                   seed: UInt64 = 7, _ f: ([Variable]) -> Variable) -> Double {
    var rng = SeededRandom(seed: seed)
    let vars = inputs.map { Variable($0, requiresGrad: true) }
    let y = f(vars)
    let r = randomTensor(y.shape, &rng)
    y.backward(seed: r)
    func loss(_ ts: [Tensor]) -> Double {
        let out = f(ts.map { Variable($0, requiresGrad: true) }).value
        var s = 0.0
        for i in 0..<out.count { s += Double(out.storage[i]) * Double(r.storage[i]) }
        return s
    }
    var worst = -Double.infinity
    for (k, input) in inputs.enumerated() {
        let analytic = vars[k].grad ?? Tensor(shape: input.shape)
        let stride = max(1, input.count / samples)
        for i in Swift.stride(from: 0, to: input.count, by: stride) {
            var plus = inputs, minus = inputs
            plus[k].storage[i] += h
            minus[k].storage[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * Double(h))
            let diff = abs(Double(analytic.storage[i]) - numeric) - (atol + rtol * abs(numeric))
            worst = max(worst, diff)
        }
    }
    return worst
}
