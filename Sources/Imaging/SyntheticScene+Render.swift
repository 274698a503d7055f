import Foundation

/// Tissue classes painted before colouring.
enum SceneRegion {
    static let background: UInt8 = 0, stroma: UInt8 = 1, epithelium: UInt8 = 2, lumen: UInt8 = 3
    static let bowman: UInt8 = 4, capsule: UInt8 = 5, tuft: UInt8 = 6, denseEpithelium: UInt8 = 7
    /// PAS-like base colours, texture amplitude and nucleus density per class.
    static let colour: [SIMD3<Float>] = [
        SIMD3(243, 241, 245), SIMD3(232, 186, 212), SIMD3(216, 144, 188), SIMD3(246, 236, 242),
        SIMD3(244, 232, 240), SIMD3(200, 126, 176), SIMD3(176, 104, 166), SIMD3(196, 118, 170),
    ]
    static let texture: [Float] = [3, 24, 18, 6, 6, 12, 16, 18]
    static let nuclei: [Float] = [0, 0.1, 0.34, 0, 0.02, 0.25, 0.72, 0.6]
}

/// Renders bands of a `SyntheticScene` to RGB. Each band is a pure function of the scene, so bands
/// (and images) render in parallel and identically on every run.
public struct SceneRenderer: Sendable {
    let scene: SyntheticScene
    let texture: [Float]
    static let textureSide = 256

    init(scene: SyntheticScene) {
        self.scene = scene
        let n = Self.textureSide
        var tex = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {   // periodic two-octave noise: fibrous cytoplasm texture
                let a = Self.periodic(x, y, cell: 8, n: n, seed: scene.seed ^ 0x7E), b = Self.periodic(x, y, cell: 4, n: n, seed: scene.seed ^ 0x7F)
                tex[y * n + x] = (a * 0.7 + b * 0.3) * 2 - 1
            }
        }
        texture = tex
    }

    func textureBuffer<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R { texture.withUnsafeBufferPointer(body) }

    private static func periodic(_ x: Int, _ y: Int, cell: Int, n: Int, seed: UInt64) -> Float {
        let m = n / cell
        let ix = x / cell, iy = y / cell
        var tx = Float(x % cell) / Float(cell), ty = Float(y % cell) / Float(cell)
        tx = tx * tx * (3 - 2 * tx); ty = ty * ty * (3 - 2 * ty)
        func v(_ i: Int, _ j: Int) -> Float { SyntheticNoise.unit(i % m, j % m, seed) }
        let top = v(ix, iy) + (v(ix + 1, iy) - v(ix, iy)) * tx
        let bottom = v(ix, iy + 1) + (v(ix + 1, iy + 1) - v(ix, iy + 1)) * tx
        return top + (bottom - top) * ty
    }

    /// Rows `y0..<y0+rows` as interleaved RGB, `scene.width * 3` bytes a row.
    func band(y0: Int, rows: Int) -> [UInt8] {
        let w = scene.width, halo = scene.style.blurRadius
        let top = y0 - halo, h = rows + 2 * halo
        var regions = [UInt8](repeating: 0, count: w * h)
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        regions.withUnsafeMutableBufferPointer { reg in
            paintTissue(reg, top: top, rows: h)
            for t in scene.tubules { paintTubule(t, reg, top: top, rows: h) }
            for g in scene.glomeruli { paintGlomerulus(g, reg, top: top, rows: h) }
            rgb.withUnsafeMutableBufferPointer { out in colour(reg, top: top, rows: h, into: out) }
        }
        if halo > 0 { BoxBlur.apply(&rgb, width: w, rows: h, radius: halo) }
        return halo == 0 ? rgb : Array(rgb[(halo * w * 3)..<((halo + rows) * w * 3)])
    }

    /// Tissue vs background from the tissue field sampled every 8 px and interpolated.
    private func paintTissue(_ reg: UnsafeMutableBufferPointer<UInt8>, top: Int, rows: Int) {
        let w = scene.width, step = 8
        let gx = w / step + 2, gy = rows / step + 2
        var grid = [Float](repeating: 0, count: gx * gy)
        for j in 0..<gy { for i in 0..<gx { grid[j * gx + i] = scene.tissueField(Float(i * step), Float(top + j * step)) } }
        for r in 0..<rows {
            let j = r / step, fy = Float(r % step) / Float(step)
            for x in 0..<w {
                let i = x / step, fx = Float(x % step) / Float(step)
                let a = grid[j * gx + i], b = grid[j * gx + i + 1], c = grid[(j + 1) * gx + i], d = grid[(j + 1) * gx + i + 1]
                let v = (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy
                reg[r * w + x] = v > 0 ? SceneRegion.stroma : SceneRegion.background
            }
        }
    }

    private func bounds(_ e: SceneEllipse, top: Int, rows: Int) -> (Range<Int>, Range<Int>)? {
        let (ex, ey) = e.extent
        let x0 = max(0, Int(e.cx - ex) - 1), x1 = min(scene.width, Int(e.cx + ex) + 2)
        let y0 = max(top, Int(e.cy - ey) - 1), y1 = min(top + rows, Int(e.cy + ey) + 2)
        return x0 < x1 && y0 < y1 ? (x0..<x1, y0..<y1) : nil
    }

    private func paintTubule(_ t: SceneEllipse, _ reg: UnsafeMutableBufferPointer<UInt8>, top: Int, rows: Int) {
        guard let (xs, ys) = bounds(t, top: top, rows: rows) else { return }
        let lumen2 = t.lobes * t.lobes, wall = t.dense ? SceneRegion.denseEpithelium : SceneRegion.epithelium
        for y in ys {
            for x in xs where reg[(y - top) * scene.width + x] != SceneRegion.background {
                let (u, v) = t.local(Float(x) + 0.5, Float(y) + 0.5)
                let d2 = u * u + v * v
                if d2 < 1 { reg[(y - top) * scene.width + x] = d2 < lumen2 ? SceneRegion.lumen : wall }
            }
        }
    }

    private func paintGlomerulus(_ g: SceneEllipse, _ reg: UnsafeMutableBufferPointer<UInt8>, top: Int, rows: Int) {
        guard let (xs, ys) = bounds(g, top: top, rows: rows) else { return }
        for y in ys {
            for x in xs where reg[(y - top) * scene.width + x] != SceneRegion.background {
                let (u, v) = g.local(Float(x) + 0.5, Float(y) + 0.5)
                let d2 = u * u + v * v
                guard d2 < 1 else { continue }
                let rr = d2.squareRoot()
                let tuft = 0.8 + 0.05 * sin(g.lobes * atan2(v, u) + g.phase)
                reg[(y - top) * scene.width + x] = rr > 0.93 ? SceneRegion.capsule : (rr > tuft ? SceneRegion.bowman : SceneRegion.tuft)
            }
        }
    }
}
