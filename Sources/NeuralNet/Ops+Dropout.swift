/// Inverted dropout: in training, zeroes each element with probability `p`
/// and scales the rest by 1/(1-p); the identity otherwise. Masks come from `rng`.
public func dropout(_ x: Variable, p: Float, training: Bool, rng: inout SplitMix64) -> Variable {
    guard training && p > 0 else { return x }
    precondition(p < 1, "dropout probability \(p) must be below 1")
    let scale = 1 / (1 - p)
    var mask = Tensor(shape: x.shape)
    for i in 0..<mask.count { mask.storage[i] = rng.nextUniform() < p ? 0 : scale }
    return Variable(value: zipMap(x.value, mask, *), parents: [x]) { gy in [zipMap(gy, mask, *)] }
}

/// Stochastic depth / drop-connect (efficientnet-pytorch's `drop_connect`,
/// timm's `drop_path`): in training, zeroes whole samples of the batch with
/// probability `p` and scales the kept ones by 1/(1-p); identity otherwise.
public func dropPath(_ x: Variable, p: Float, training: Bool, rng: inout SplitMix64) -> Variable {
    guard training && p > 0 else { return x }
    precondition(p < 1, "drop path probability \(p) must be below 1")
    var keep = Tensor(shape: [x.shape[0]] + x.shape.dropFirst().map { _ in 1 })
    for i in 0..<keep.count { keep.storage[i] = rng.nextUniform() < p ? 0 : 1 / (1 - p) }
    return multiply(x, Variable(keep))
}
