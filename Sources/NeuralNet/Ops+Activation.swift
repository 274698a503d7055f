import NeuralNetKernels
import Foundation

/// max(x, 0). The gradient at exactly 0 is 0, as in PyTorch.
public func relu(_ x: Variable) -> Variable {
    let y = VectorMath.map(x.value, reluLanes)
    return Variable(value: y, parents: [x]) { gy in [VectorMath.zipMap(gy, y, reluGate)] }
}

/// 1 / (1 + exp(-x)).
public func sigmoid(_ x: Variable) -> Variable {
    let y = VectorMath.map(x.value, .sigmoid)
    return Variable(value: y, parents: [x]) { gy in
        [VectorMath.zipMap(gy, y) { g, s in g * s * (1 - s) }]
    }
}

/// x * sigmoid(x), a.k.a. swish (PyTorch `F.silu`, EfficientNet's activation).
public func silu(_ x: Variable) -> Variable {
    let y = VectorMath.map(x.value, .silu)
    return Variable(value: y, parents: [x]) { gy in [VectorMath.siluGradient(gy, x.value)] }
}

@inline(__always) func stableSigmoid(_ v: Float) -> Float {
    v >= 0 ? 1 / (1 + expf(-v)) : { let e = expf(v); return e / (1 + e) }()
}

/// `f` applied to every element.
@inline(__always) func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    var y = Tensor(uninitializedShape: x.shape)
    x.withUnsafeBufferPointer { a in y.withUnsafeMutableBufferPointer { b in
        let (pa, pb) = (a.baseAddress, b.baseAddress)
        Compute.current.parallelRanges(a.count) { r in for i in r { pb![i] = f(pa![i]) } }
    }}
    return y
}

/// `f` applied to corresponding elements of two same-sized tensors (shape of `a`).
@inline(__always) func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(a.count == b.count, "elementwise op on \(a.shape) and \(b.shape)")
    var y = Tensor(uninitializedShape: a.shape)
    a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in y.withUnsafeMutableBufferPointer { y in
        let (pa, pb, py) = (a.baseAddress, b.baseAddress, y.baseAddress)
        Compute.current.parallelRanges(a.count) { r in for i in r { py![i] = f(pa![i], pb![i]) } }
    }}}
    return y
}

/// An elementwise function applied after a layer's bias (and residual).
public enum Activation: Sendable, Equatable {
    case identity, relu, silu

    /// The activation as a differentiable op on `x`.
    public func callAsFunction(_ x: Variable) -> Variable {
        switch self {
        case .identity: x
        case .relu: reluOp(x)
        case .silu: siluOp(x)
        }
    }
}

// The ops under names the enum's cases do not shadow.
private func reluOp(_ x: Variable) -> Variable { relu(x) }
private func siluOp(_ x: Variable) -> Variable { silu(x) }
