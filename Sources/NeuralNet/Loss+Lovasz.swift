/// Lovász hinge (Berman, Triki & Blaschko 2018, `lovasz_hinge` in their
/// lovasz_losses.py) of `logits` against binary `target`: the Lovász extension
/// of the Jaccard loss applied to hinge errors `1 - logit * sign`. Per image
/// and averaged (`perImage: true`, the reference default) or over the whole batch.
public func lovaszHingeLoss(_ logits: Variable, _ target: Tensor, perImage: Bool = true) -> Variable {
    precondition(logits.value.count == target.count && !logits.shape.isEmpty, "lovasz: logits \(logits.shape) and target \(target.shape) differ")
    let images = perImage ? logits.shape[0] : 1
    let size = target.count / images
    var total = 0.0
    var grads = [Float](repeating: 0, count: target.count)
    for img in 0..<images {
        let r = img * size..<(img + 1) * size
        total += lovaszFlat(Array(logits.value.storage[r]), Array(target.storage[r]), into: &grads, at: img * size)
    }
    let shape = logits.shape
    return Variable(value: Tensor(scalar: Float(total / Double(images))), parents: [logits]) { gy in
        let scale = gy.scalar / Float(images)
        return [Tensor(shape: shape, storage: grads.map { $0 * scale })]
    }
}

/// Loss of one flat image; writes d(loss)/d(logit) into `grads[offset...]`.
private func lovaszFlat(_ x: [Float], _ t: [Float], into grads: inout [Float], at offset: Int) -> Double {
    let n = x.count
    let errors = (0..<n).map { 1 - x[$0] * (2 * t[$0] - 1) }
    // Descending by error; ties by index, so the order (and result) is deterministic.
    let order = (0..<n).sorted { errors[$0] > errors[$1] || (errors[$0] == errors[$1] && $0 < $1) }
    let gts = order.reduce(0.0) { $0 + Double(t[$1]) }
    var cumT = 0.0, cumF = 0.0, previous = 0.0, loss = 0.0
    for (rank, i) in order.enumerated() {
        cumT += Double(t[i]); cumF += 1 - Double(t[i])
        let jaccard = 1 - (gts - cumT) / (gts + cumF)
        let weight = rank == 0 ? jaccard : jaccard - previous
        previous = jaccard
        if errors[i] > 0 {
            loss += Double(errors[i]) * weight
            grads[offset + i] = Float(-weight) * (2 * t[i] - 1)
        }
    }
    return loss
}
