// Box and Gaussian blur of an RGB tile: separable passes over reflected (reflect_101) lines.

extension Augmenter {
    /// Blurs RGB `image` with a `kernel x kernel` box (exact mean, rounded half up) or Gaussian
    /// (OpenCV's default sigma for the size: `0.3 * ((k - 1) / 2 - 1) + 0.8`), reflect_101 borders.
    static func blur(_ image: inout [UInt8], width: Int, height: Int, kernel: Int, kind: BlurKind) {
        let weights: [Float]
        switch kind {
        case .box:
            weights = [Float](repeating: 1, count: kernel)
        case .gaussian:
            weights = gaussianKernel(size: kernel)
        }
        var buffer = [Float](repeating: 0, count: image.count)
        image.withUnsafeBufferPointer { src in
            for i in 0..<src.count { buffer[i] = Float(src[i]) }
        }
        convolve(&buffer, width: width, height: height, weights: weights)
        // A box sums integers exactly in Float (< 2^24): divide in integers for the exact rounded mean.
        let area = kernel * kernel
        image.withUnsafeMutableBufferPointer { px in
            if kind == .box {
                for i in 0..<px.count { px[i] = UInt8((2 * Int(buffer[i]) + area) / (2 * area)) }
            } else {
                for i in 0..<px.count { px[i] = UInt8(min(max(buffer[i] + 0.5, 0), 255)) }
            }
        }
    }

    /// Normalized Gaussian weights of `size` taps with OpenCV's default sigma for that size.
    static func gaussianKernel(size: Int) -> [Float] {
        let sigma = 0.3 * (Double(size - 1) / 2 - 1) + 0.8
        let half = size / 2
        let raw = (0..<size).map { PortableMath.exp(-Double(($0 - half) * ($0 - half)) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        return raw.map { Float($0 / total) }
    }

    /// Separable convolution of a 3-channel float image with `weights` along x then y.
    private static func convolve(_ buffer: inout [Float], width: Int, height: Int, weights: [Float]) {
        let radius = weights.count / 2
        var line = [Float](repeating: 0, count: max(width, height) + 2 * radius)
        buffer.withUnsafeMutableBufferPointer { b in
            line.withUnsafeMutableBufferPointer { l in
                weights.withUnsafeBufferPointer { w in
                    for y in 0..<height {
                        for ch in 0..<3 { filterLine(b, 3 * y * width + ch, 3, width, w, l) }
                    }
                    for x in 0..<width {
                        for ch in 0..<3 { filterLine(b, 3 * x + ch, 3 * width, height, w, l) }
                    }
                }
            }
        }
    }

    /// Convolves `count` values of `b` starting at `start`, `stride` apart, in place.
    private static func filterLine(_ b: UnsafeMutableBufferPointer<Float>, _ start: Int, _ stride: Int, _ count: Int,
                                   _ w: UnsafeBufferPointer<Float>, _ line: UnsafeMutableBufferPointer<Float>) {
        let radius = w.count / 2
        for i in 0..<(count + 2 * radius) {
            line[i] = b[start + stride * BorderMode.reflect101.index(i - radius, count)]
        }
        for i in 0..<count {
            var sum: Float = 0
            for k in 0..<w.count { sum += w[k] * line[i + k] }
            b[start + stride * i] = sum
        }
    }
}
