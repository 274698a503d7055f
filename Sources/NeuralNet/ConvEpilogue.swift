import NeuralNetKernels

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

/// What an inference convolution does to its output in its own pass, while
/// each stretch of output is still in cache, instead of in separate ops that
/// each allocate and sweep the whole tensor: add the bias (when the path has
/// not already), add a residual of the output's shape, apply the activation.
/// Element by element it computes exactly what `activation(conv + residual)`
/// computes as separate ops, so fused and unfused results are bit-identical.
struct ConvEpilogue {
    /// Same shape as the convolution's output; nil for none.
    var residual: UnsafePointer<Float>?
    var activation: Activation
    /// Whether SiLU runs in the AVX2 build (same bits), decided where the op starts.
    private let kernels = KernelSupport.available

    init(residual: UnsafePointer<Float>?, activation: Activation) {
        self.residual = residual
        self.activation = activation
    }

    static var none: ConvEpilogue { ConvEpilogue(residual: nil, activation: .identity) }

    /// True when the epilogue changes nothing.
    var isNone: Bool { residual == nil && activation == .identity }

    /// `y[i] = activation(y[i] + bias + residual[offset + i])` for `i` in `0..<count`,
    /// on this thread; a nil `bias` adds nothing.
    func apply(_ y: UnsafeMutablePointer<Float>, offset: Int, count: Int, bias: Float? = nil) {
        typealias Lanes = LaneMath.Lanes
        let r = residual.map { $0 + offset }
        if activation == .silu && kernels { return LaneMath.siluInPlace(y, count: count, bias: bias, residual: r) }
        @inline(__always) func run(_ act: (Lanes) -> Lanes) {
            switch (bias, r) {
            case let (b?, r?): LaneMath.applySerially(y, r, y, count) { v, s in act(v + b + s) }
            case let (nil, r?): LaneMath.applySerially(y, r, y, count) { v, s in act(v + s) }
            case let (b?, nil): LaneMath.applySerially(y, y, y, count) { v, _ in act(v + b) }
            case (nil, nil): LaneMath.applySerially(y, y, y, count) { v, _ in act(v) }
            }
        }
        switch activation {
        case .identity: run { $0 }
        // `max(v, 0)` as `relu` computes it: NaN stays NaN, -0 becomes +0.
        case .relu: run { $0.replacing(with: 0, where: $0 .<= 0) }
        case .silu: run(LaneMath.silu)
        }
    }
}
