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
        var buffer = image.map { Float($0) }
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

    /// Separable convolution of a 3-channel float image with `weights`: along x over a reflected copy
    /// of each row, then along y by accumulating whole reflected rows (contiguous, vectorizable).
    private static func convolve(_ buffer: inout [Float], width: Int, height: Int, weights: [Float]) {
        let radius = weights.count / 2, rowLength = 3 * width
        var padded = [Float](repeating: 0, count: 3 * (width + 2 * radius))
        var rows = [Float](repeating: 0, count: buffer.count)
        buffer.withUnsafeMutableBufferPointer { b in
            rows.withUnsafeMutableBufferPointer { t in
                padded.withUnsafeMutableBufferPointer { line in
                    for y in 0..<height {
                        filterRow(b.baseAddress! + y * rowLength, into: t.baseAddress! + y * rowLength,
                                  width: width, weights: weights, line: line.baseAddress!)
                    }
                }
                for y in 0..<height {
                    let out = b.baseAddress! + y * rowLength
                    for i in 0..<rowLength { out[i] = 0 }
                    for (k, weight) in weights.enumerated() {
                        let src = t.baseAddress! + BorderMode.reflect101.index(y + k - radius, height) * rowLength
                        for i in 0..<rowLength { out[i] += weight * src[i] }
                    }
                }
            }
        }
    }

    /// Convolves one interleaved RGB row along x (reflect_101 borders) into `output`.
    private static func filterRow(_ row: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
                                  width: Int, weights: [Float], line: UnsafeMutablePointer<Float>) {
        let radius = weights.count / 2
        for x in 0..<(width + 2 * radius) {
            let s = 3 * BorderMode.reflect101.index(x - radius, width)
            line[3 * x] = row[s]; line[3 * x + 1] = row[s + 1]; line[3 * x + 2] = row[s + 2]
        }
        for i in 0..<(3 * width) { output[i] = 0 }
        for (k, weight) in weights.enumerated() {
            let src = line + 3 * k
            for i in 0..<(3 * width) { output[i] += weight * src[i] }
        }
    }
}
