/// Adam's per-element update without weight decay, eight lanes at a time:
/// `m += (g - m) * (1 - beta1)`, `v = v * beta2 + (1 - beta2) * g * g`,
/// `p -= stepSize * (m / (sqrt(v) / c2Sqrt + eps))`. Plain IEEE operations
/// (no fused multiply-add, exact square root and division), so this AVX2
/// build and the portable one NeuralNet inlines give the same bits as the
/// scalar formula, element by element.
public enum AdamMath {
    public typealias Lanes = SIMD8<Float>

    /// The update over `count` elements, in place (AVX2 + FMA build; see `KernelRequirements`).
    public static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                              _ v: UnsafeMutablePointer<Float>, count: Int,
                              beta1: Float, beta2: Float, stepSize: Float, c2Sqrt: Float, eps: Float) {
        updateSerially(p, g, m, v, count: count, beta1: beta1, beta2: beta2, stepSize: stepSize, c2Sqrt: c2Sqrt, eps: eps)
    }

    /// The update over `count` elements, in place, on this thread.
    @inlinable @inline(__always)
    public static func updateSerially(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                                      _ v: UnsafeMutablePointer<Float>, count: Int,
                                      beta1: Float, beta2: Float, stepSize: Float, c2Sqrt: Float, eps: Float) {
        let a1 = 1 - beta1, a2 = 1 - beta2
        var i = 0
        while i + 8 <= count {
            let gi = LaneMath.load(g + i)
            let mi = LaneMath.load(m + i) + (gi - LaneMath.load(m + i)) * a1
            let vi = LaneMath.load(v + i) * beta2 + a2 * gi * gi
            LaneMath.store(LaneMath.load(p + i) - stepSize * (mi / (vi.squareRoot() / c2Sqrt + eps)), p + i)
            LaneMath.store(mi, m + i); LaneMath.store(vi, v + i)
            i += 8
        }
        while i < count {
            let gi = g[i]
            m[i] += (gi - m[i]) * a1
            v[i] = v[i] * beta2 + a2 * gi * gi
            p[i] -= stepSize * (m[i] / (v[i].squareRoot() / c2Sqrt + eps))
            i += 1
        }
    }
}
