/// A first-order optimizer over named parameters. `step()` reads each
/// parameter's `grad` (parameters whose grad is nil are skipped, as in
/// PyTorch) and updates `value` in place. Its state round-trips through
/// named tensors, so a checkpoint can resume training exactly.
public protocol Optimizer: AnyObject {
    /// The learning rate the next `step()` uses (schedules set it each step).
    var learningRate: Float { get set }
    /// Applies one update.
    func step()
    /// The state as tensors named `<parameter name>.<slot>` (e.g.
    /// `encoder.conv1.weight.exp_avg`) plus scalars such as `step`.
    func exportState() -> [String: Tensor]
    /// Restores state written by `exportState()` of the same optimizer over the same parameters.
    func importState(_ state: [String: Tensor]) throws
}

/// Per-parameter slot tensors (momentum buffers, Adam moments, slow weights).
struct SlotStore {
    let names: [String]
    let slotNames: [String]
    /// slots[slot][parameter]
    var slots: [[Tensor?]]

    init(names: [String], slotNames: [String]) {
        self.names = names
        self.slotNames = slotNames
        slots = slotNames.map { _ in [Tensor?](repeating: nil, count: names.count) }
    }

    func export(into state: inout [String: Tensor]) {
        for (s, slot) in slotNames.enumerated() {
            for (p, name) in names.enumerated() { if let t = slots[s][p] { state["\(name).\(slot)"] = t } }
        }
    }

    mutating func load(_ state: [String: Tensor], shapes: [[Int]]) throws {
        for (s, slot) in slotNames.enumerated() {
            for (p, name) in names.enumerated() {
                guard let t = state["\(name).\(slot)"] else { slots[s][p] = nil; continue }
                guard t.shape == shapes[p] else {
                    throw NeuralNetError(.shapeMismatch, "optimizer state '\(name).\(slot)' has shape \(t.shape) but the parameter has \(shapes[p]); resume with the same model")
                }
                slots[s][p] = t
            }
        }
    }
}

func scalarState(_ state: [String: Tensor], _ key: String) throws -> Float {
    guard let t = state[key], t.count == 1 else {
        throw NeuralNetError(.missingTensor, "optimizer state has no scalar '\(key)'; resume from a checkpoint written by the same optimizer")
    }
    return t.storage[0]
}
