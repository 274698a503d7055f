import NeuralNetKernels

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
        let r = residual.map { $0 + offset }
        switch activation {
        case .silu where kernels: LaneMath.siluInPlace(y, count: count, bias: bias, residual: r)
        case .identity: LaneMath.finish(y, count: count, bias: bias, residual: r) { $0 }
        case .relu: LaneMath.finish(y, count: count, bias: bias, residual: r, reluLanes)
        case .silu: LaneMath.finish(y, count: count, bias: bias, residual: r, LaneMath.silu)
        }
    }
}
