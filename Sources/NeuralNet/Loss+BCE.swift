import Foundation

/// Mean binary cross-entropy of `sigmoid(logits)` against `target` (0...1),
/// computed stably from the logits (PyTorch `binary_cross_entropy_with_logits`).
public func bceWithLogits(_ logits: Variable, _ target: Tensor) -> Variable {
    precondition(logits.value.count == target.count, "bce: logits \(logits.shape) and target \(target.shape) differ")
    let n = Double(target.count)
    var total = 0.0
    logits.value.withUnsafeBufferPointer { x in target.withUnsafeBufferPointer { t in
        for i in 0..<x.count {
            let v = Double(x[i])
            total += max(v, 0) - v * Double(t[i]) + log1p(exp(-abs(v)))
        }
    }}
    return Variable(value: Tensor(scalar: Float(total / n)), parents: [logits]) { gy in
        let scale = gy.scalar / Float(n)
        return [zipMap(logits.value, target) { x, t in (stableSigmoid(x) - t) * scale }]
    }
}

/// The losses a training spec names, as the Keras `segmentation_models`
/// library and Berman's Lovász code define them; all take logits.
public enum SegmentationLoss: String, Sendable, CaseIterable {
    case bce
    case dice
    case jaccard
    case bceJaccard = "bce_jaccard"
    case bceDice = "bce_dice"
    case lovaszHinge = "lovasz_hinge"

    /// The scalar loss of `logits` `[n, c, h, w]` against `target` (same shape, 0/1).
    public func callAsFunction(_ logits: Variable, _ target: Tensor) -> Variable {
        switch self {
        case .bce: return bceWithLogits(logits, target)
        case .dice: return softDiceLoss(logits, target)
        case .jaccard: return softJaccardLoss(logits, target)
        case .bceJaccard: return bceJaccardLoss(logits, target)
        case .bceDice: return bceDiceLoss(logits, target)
        case .lovaszHinge: return lovaszHingeLoss(logits, target, perImage: true)
        }
    }
}

/// `binary_crossentropy + (1 - soft Jaccard)`: segmentation_models' `bce_jaccard_loss`.
public func bceJaccardLoss(_ logits: Variable, _ target: Tensor, smooth: Float = 1e-5) -> Variable {
    add(bceWithLogits(logits, target), softJaccardLoss(logits, target, smooth: smooth))
}

/// `binary_crossentropy + (1 - soft Dice)`: segmentation_models' `bce_dice_loss`.
public func bceDiceLoss(_ logits: Variable, _ target: Tensor, smooth: Float = 1e-5) -> Variable {
    add(bceWithLogits(logits, target), softDiceLoss(logits, target, smooth: smooth))
}
