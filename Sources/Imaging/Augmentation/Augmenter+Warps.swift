// shift_scale_rotate, elastic and grid_distortion: draw parameters, build the source map, resample.

extension Augmenter {
    /// Draws and applies the three resampling warps, in table order.
    func applyWarps(image: inout [UInt8], mask: inout [UInt8], record: inout AugmentationRecord,
                    rng: inout AugmentationRNG) {
        let (w, h) = (record.width, record.height)
        if let ssr = policy.shiftScaleRotate, rng.chance(ssr.p) {
            let angle = ssr.rotateLimit.draw(&rng), scale = 1 + ssr.scaleLimit.draw(&rng)
            let dx = ssr.shiftLimit.draw(&rng), dy = ssr.shiftLimit.draw(&rng)
            let map = Self.affineMap(width: w, height: h, shiftX: dx, shiftY: dy, scale: scale, degrees: angle)
            remap(image: &image, mask: &mask, width: w, height: h, map: map, border: ssr.border)
            record.applied.append(.shiftScaleRotate(shiftX: dx, shiftY: dy, scale: scale, angle: angle))
        }
        if let elastic = policy.elastic, rng.chance(elastic.p) {
            let map = Self.elasticMap(width: w, height: h, alpha: elastic.alpha, sigma: elastic.sigma, rng: &rng)
            remap(image: &image, mask: &mask, width: w, height: h, map: map, border: elastic.border)
            record.applied.append(.elastic)
        }
        if let grid = policy.gridDistortion, rng.chance(grid.p) {
            let xs = (0..<grid.numSteps).map { _ in grid.distortLimit.draw(&rng) }
            let ys = (0..<grid.numSteps).map { _ in grid.distortLimit.draw(&rng) }
            let map = SeparableSourceMap(columns: Self.gridAxis(length: w, distortions: xs),
                                         rows: Self.gridAxis(length: h, distortions: ys))
            remap(image: &image, mask: &mask, width: w, height: h, map: map, border: grid.border)
            record.applied.append(.gridDistortion(x: xs, y: ys))
        }
    }

    /// The inverse of OpenCV's `getRotationMatrix2D(centre, degrees, scale)` plus a shift of
    /// `(shiftX * W, shiftY * H)`, about the true centre `((W-1)/2, (H-1)/2)`: output pixel `d`
    /// samples `c + R^-1 (d - c - shift)`, `R = s * [[cos, sin], [-sin, cos]]`.
    static func affineMap(width: Int, height: Int, shiftX: Double, shiftY: Double,
                          scale: Double, degrees: Double) -> AffineSourceMap {
        let (sin, cos) = PortableMath.sinCos(degrees * (Double.pi / 180))
        let alpha = cos / scale, beta = sin / scale        // R^-1 = [[alpha, -beta], [beta, alpha]]
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        let tx = -cx - shiftX * Double(width), ty = -cy - shiftY * Double(height)
        return AffineSourceMap(a: Float(alpha), b: Float(-beta), c: Float(cx + alpha * tx - beta * ty),
                               d: Float(beta), e: Float(alpha), f: Float(cy + beta * tx + alpha * ty))
    }

    /// A displacement field: uniform(-1, 1) per pixel (all x components, then all y), smoothed by
    /// a Gaussian of `sigma` (three box passes, reflect_101 borders), times `alpha`.
    static func elasticMap(width: Int, height: Int, alpha: Double, sigma: Double,
                           rng: inout AugmentationRNG) -> FieldSourceMap {
        let n = width * height
        var dx = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }
        var dy = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }
        for radius in boxRadii(sigma: sigma) {
            boxFilter(&dx, width: width, height: height, radius: radius)
            boxFilter(&dy, width: width, height: height, radius: radius)
        }
        let a = Float(alpha)
        for i in 0..<n { dx[i] *= a; dy[i] *= a }
        return FieldSourceMap(dx: dx, dy: dy, width: width)
    }

    /// Source coordinates along one axis of `length` pixels split into `distortions.count` equal
    /// cells: cell `i` (destination width `step`) reads a source span of `step * (1 + d_i)`.
    static func gridAxis(length: Int, distortions: [Double]) -> [Float] {
        let step = Double(length) / Double(distortions.count)
        var starts = [0.0]
        for d in distortions { starts.append(starts[starts.count - 1] + step * (1 + d)) }
        return (0..<length).map { x in
            let cell = min(Int(Double(x) / step), distortions.count - 1)
            return Float(starts[cell] + (Double(x) - Double(cell) * step) * (1 + distortions[cell]))
        }
    }
}
