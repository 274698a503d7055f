/// A non-trainable tensor that a layer updates in place, e.g. batch norm's
/// `running_mean`, `running_var` and `num_batches_tracked` (held as float).
public final class Buffer {
    public var value: Tensor
    public init(_ value: Tensor) { self.value = value }
}

/// Holds a model's parameters and buffers under their PyTorch state-dict
/// names (`encoder.layer1.0.conv1.weight`, `encoder.bn1.running_mean`), in
/// registration order, and the model-wide training flag. Layers register
/// what they own through a `Scope` when they are built; optimizers read
/// `parameters`; checkpoints read `stateDict()` and write `load(_:)`.
public final class ParameterStore {
    /// Trainable leaves, in registration order.
    public private(set) var parameters: [(name: String, variable: Variable)] = []
    /// Buffers, in registration order.
    public private(set) var buffers: [(name: String, buffer: Buffer)] = []
    /// PyTorch's `model.train()` / `model.eval()`: batch norm uses batch
    /// statistics and updates running ones, dropout drops, when true.
    public var training = true
    /// PyTorch's `momentum=None` on every batch norm: while set, a training-mode
    /// forward folds its batch statistics into the running ones as a cumulative
    /// average (factor `1 / num_batches_tracked`) instead of with the layer's momentum.
    public var cumulativeBatchNormStatistics = false
    /// Source of initial weights and of dropout masks; seeded, so runs repeat.
    public var rng: SplitMix64
    private var names = Set<String>()

    public init(seed: UInt64 = 0) { rng = SplitMix64(seed: seed) }

    /// The scope whose names start with `prefix` (empty for the root).
    public func scope(_ prefix: String = "") -> Scope { Scope(store: self, prefix: prefix) }

    /// Registers a trainable parameter named `name` with `initial` value.
    public func addParameter(_ name: String, _ initial: Tensor) -> Variable {
        precondition(names.insert(name).inserted, "'\(name)' registered twice")
        let v = Variable(initial, requiresGrad: true)
        parameters.append((name, v))
        return v
    }

    /// Registers a buffer named `name` with `initial` value.
    public func addBuffer(_ name: String, _ initial: Tensor) -> Buffer {
        precondition(names.insert(name).inserted, "'\(name)' registered twice")
        let b = Buffer(initial)
        buffers.append((name, b))
        return b
    }

    /// Resets every batch norm's `running_mean` to 0, `running_var` to 1 and
    /// `num_batches_tracked` to 0 (PyTorch's `reset_running_stats()`); batch
    /// norm buffers are the ones under those names.
    public func resetBatchNormStatistics() {
        for (name, buffer) in buffers {
            switch name.split(separator: ".").last {
            case "running_mean", "num_batches_tracked": buffer.value = Tensor(shape: buffer.value.shape)
            case "running_var": buffer.value = Tensor(shape: buffer.value.shape, repeating: 1)
            default: break
            }
        }
    }

    /// Clears every parameter's gradient (call before each backward pass).
    public func zeroGrad() { for p in parameters { p.variable.grad = nil } }

    /// Every parameter and buffer value by name, in registration order
    /// (parameters first), like PyTorch's `state_dict()`.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        parameters.map { ($0.name, $0.variable.value) } + buffers.map { ($0.name, $0.buffer.value) }
    }

    /// Copies values from `state` into the registered tensors of the same name.
    /// Shapes must match exactly. With `strict`, a registered name missing
    /// from `state` or a name in `state` that is not registered is an error.
    public func load(_ state: [String: Tensor], strict: Bool = true) throws {
        var used = 0
        for (name, v) in parameters {
            if let t = try take(name, v.value.shape, state, strict) { v.value = t; used += 1 }
        }
        for (name, b) in buffers {
            if let t = try take(name, b.value.shape, state, strict) { b.value = t; used += 1 }
        }
        if strict && used != state.count {
            let extra = state.keys.filter { !names.contains($0) }.sorted()
            throw NeuralNetError(.unexpectedTensor, "unexpected tensor '\(extra.first ?? "?")' (\(extra.count) in all) is not part of this model; check the architecture and encoder match the checkpoint")
        }
    }

    private func take(_ name: String, _ shape: [Int], _ state: [String: Tensor], _ strict: Bool) throws -> Tensor? {
        guard let t = state[name] else {
            if strict { throw NeuralNetError(.missingTensor, "checkpoint has no tensor '\(name)'; check the architecture and encoder match the checkpoint") }
            return nil
        }
        if t.shape == shape { return t }
        if t.count == shape.reduce(1, *) && (shape.isEmpty || t.shape.isEmpty) { return t.reshaped(shape) }
        throw NeuralNetError(.shapeMismatch, "tensor '\(name)' has shape \(t.shape) in the checkpoint but \(shape) in the model")
    }
}

/// A name prefix in a `ParameterStore`: `scope.child("layer1").child(0)`
/// names things `layer1.0.*`, the way PyTorch composes module names.
public struct Scope {
    public let store: ParameterStore
    /// Dotted prefix, empty at the root.
    public let prefix: String

    /// The scope `prefix.name`.
    public func child(_ name: String) -> Scope {
        Scope(store: store, prefix: qualified(name))
    }
    /// The scope `prefix.index` (for `nn.Sequential` children).
    public func child(_ index: Int) -> Scope { child(String(index)) }

    /// The full name of `name` in this scope.
    public func qualified(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// Registers the parameter `prefix.name`.
    public func parameter(_ name: String, _ initial: Tensor) -> Variable {
        store.addParameter(qualified(name), initial)
    }
    /// Registers the buffer `prefix.name`.
    public func buffer(_ name: String, _ initial: Tensor) -> Buffer {
        store.addBuffer(qualified(name), initial)
    }
}
