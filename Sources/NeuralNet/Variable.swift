/// The reverse-mode autograd engine.
///
/// A `Variable` is a node of the computation graph: a `value`, the gradient
/// of the loss with respect to it (`grad`, filled by `backward()`), the nodes
/// it was computed from, and a closure mapping the gradient of this node to
/// the gradients of its parents. Ops (in `Ops+*.swift`) build nodes with
/// `Variable(value:parents:backward:)`, writing each backward right beside its
/// forward. A node whose parents need no gradient records no closure, so
/// inference builds no graph.
///
/// Not thread-safe: build and differentiate a graph on one thread (ops
/// parallelise internally).
public final class Variable {
    /// The forward value.
    public var value: Tensor
    /// d(loss)/d(value) after `backward()`; nil before, or when not needed.
    public var grad: Tensor?
    /// True for trainable leaves and for every node computed from one.
    public let requiresGrad: Bool
    private(set) var parents: [Variable]
    private(set) var backwardFn: ((Tensor) -> [Tensor?])?
    /// Set once an interior node's backward ran and was released.
    private var consumed = false

    /// A leaf: an input (`requiresGrad: false`) or a trainable parameter.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.parents = []
        self.backwardFn = nil
    }

    /// An interior node. `backward` receives d(loss)/d(this value) and
    /// returns one gradient per parent, in order (nil where a parent needs none).
    /// It is only kept (and so only called) when some parent requires a gradient.
    public init(value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        let needs = parents.contains { $0.requiresGrad }
        self.requiresGrad = needs
        self.parents = needs ? parents : []
        self.backwardFn = needs ? backward : nil
    }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }

    /// Back-propagates from this node: seeds its gradient with `seed` (ones
    /// when nil; a scalar loss needs none) and accumulates `grad` on every
    /// node that requires one, in reverse topological order. Gradients add up
    /// across calls: zero them (`ParameterStore.zeroGrad()`) between steps.
    /// The graph is consumed (each node's backward closure is released once it
    /// ran, freeing saved activations): build a new forward before the next backward.
    public func backward(seed: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a value that depends on no trainable parameter")
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [:]
        pending[ObjectIdentifier(self)] = seed ?? Tensor(shape: value.shape, repeating: 1)
        for node in order.reversed() {
            guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            precondition(!node.consumed, "backward() through a graph that was already differentiated; run the forward again")
            guard let fn = node.backwardFn else {
                node.accumulate(g)
                continue
            }
            let grads = fn(g)
            // Like PyTorch (retain_graph=False), the graph is consumed: dropping each
            // closure as soon as it ran frees the activations it held.
            let parents = node.parents
            node.backwardFn = nil
            node.parents = []
            node.consumed = true
            precondition(grads.count == parents.count, "backward returned \(grads.count) gradients for \(parents.count) parents")
            for (parent, pg) in zip(parents, grads) where parent.requiresGrad {
                guard let pg else { continue }
                precondition(pg.count == parent.value.count, "gradient \(pg.shape) for value \(parent.value.shape)")
                let key = ObjectIdentifier(parent)
                if var existing = pending.removeValue(forKey: key) {
                    existing.add(pg)
                    pending[key] = existing
                } else {
                    pending[key] = pg
                }
            }
        }
    }

    private func accumulate(_ g: Tensor) {
        if grad == nil { grad = g.reshaped(value.shape) } else { grad!.add(g) }
    }

    /// Nodes reachable from self that require a gradient, parents before children.
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
                stack.append((p, false))
            }
        }
        return order
    }
}
