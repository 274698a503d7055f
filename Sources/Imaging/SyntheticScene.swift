import Foundation

/// A rotated ellipse: a glomerulus or a tubule cross-section.
struct SceneEllipse: Sendable {
    var cx, cy, rx, ry: Float
    var cos, sin: Float
    /// Glomeruli: tuft lobe count and phase. Tubules: lumen radius fraction.
    var lobes: Float
    var phase: Float
    /// Tubules drawn with a collapsed lumen and crowded nuclei (hard negatives).
    var dense: Bool

    init(cx: Float, cy: Float, rx: Float, ry: Float, angle: Float, lobes: Float = 0, phase: Float = 0, dense: Bool = false) {
        self.cx = cx; self.cy = cy; self.rx = rx; self.ry = ry
        self.cos = Foundation.cos(angle); self.sin = Foundation.sin(angle)
        self.lobes = lobes; self.phase = phase; self.dense = dense
    }

    /// Half extents of the axis-aligned bounding box.
    var extent: (Float, Float) {
        ((rx * rx * cos * cos + ry * ry * sin * sin).squareRoot(), (rx * rx * sin * sin + ry * ry * cos * cos).squareRoot())
    }

    /// Normalised coordinates (u, v): inside when u^2 + v^2 < 1.
    @inline(__always)
    func local(_ x: Float, _ y: Float) -> (Float, Float) {
        let dx = x - cx, dy = y - cy
        return ((dx * cos + dy * sin) / rx, (-dx * sin + dy * cos) / ry)
    }
}

/// Per-image appearance: stain (per-channel gain), saturation, brightness, blur.
struct SceneStyle: Sendable {
    var gain: SIMD3<Float>
    var saturation: Float
    var offset: Float
    var blurRadius: Int
}

/// The layout of one synthetic kidney section: tissue outline, glomeruli, tubules, appearance.
/// Pure data derived from (seed, size); rendering reads it from any thread.
struct SyntheticScene: Sendable {
    let width: Int
    let height: Int
    let seed: UInt64
    let style: SceneStyle
    let glomeruli: [SceneEllipse]
    let tubules: [SceneEllipse]
    let tissue: TissueShape

    /// Lays out a scene. `glomeruliPerMegapixel` sets density; `forceGlomeruli` guarantees at least
    /// that many (external tiles); `fullTissue` fills the frame with tissue.
    init(width: Int, height: Int, seed: UInt64, glomeruliPerMegapixel: Double, forceGlomeruli: Int = 0, fullTissue: Bool = false) {
        self.width = width
        self.height = height
        self.seed = seed
        var rng = SyntheticRandom(seed: seed ^ 0x5EED_0F_1D_0E1)
        let w = Float(width), h = Float(height)
        let tissue = fullTissue ? TissueShape(cx: w / 2, cy: h / 2, rx: w * 4, ry: h * 4, cell: max(w, h) / 3, seed: seed)
            : TissueShape(cx: w * Float(rng.uniform(0.45, 0.55)), cy: h * Float(rng.uniform(0.45, 0.55)),
                          rx: w * Float(rng.uniform(0.42, 0.5)), ry: h * Float(rng.uniform(0.38, 0.48)), cell: max(w, h) / 4, seed: seed)
        self.tissue = tissue
        style = SceneStyle(gain: SIMD3(Float(rng.uniform(0.9, 1.06)), Float(rng.uniform(0.9, 1.06)), Float(rng.uniform(0.92, 1.06))),
                           saturation: Float(rng.uniform(0.75, 1.2)), offset: Float(rng.uniform(-14, 10)),
                           blurRadius: Int(rng.next() % 3))
        var placer = ScenePlacer(width: w, height: h)
        var glomeruli: [SceneEllipse] = []
        let tissueArea = Double(width * height) * (fullTissue ? 1 : 0.6)
        let want = max(forceGlomeruli, Int((tissueArea / 1e6 * glomeruliPerMegapixel).rounded()))
        let edgeCut = fullTissue ? 0 : max(1, want / 8)
        var attempts = 0
        while glomeruli.count < want, attempts < want * 400 {
            attempts += 1
            let rMax = min(175, Double(min(w, h)) * 0.3)
            let r = Float(rng.uniform(min(75, rMax * 0.6), rMax))
            let g = SceneEllipse(cx: Float(rng.uniform(0, Double(w))), cy: Float(rng.uniform(0, Double(h))),
                                 rx: r * Float(rng.uniform(0.85, 1.1)), ry: r * Float(rng.uniform(0.8, 1.05)),
                                 angle: Float(rng.uniform(0, .pi)), lobes: Float(4 + rng.next() % 4), phase: Float(rng.uniform(0, 6.28)))
            let t = tissue.field(g.cx, g.cy)
            let wantEdge = glomeruli.count < edgeCut
            guard wantEdge ? (t > 0 && t < 0.06) : t > 0.08 else { continue }
            guard !fullTissue || (g.cx > g.rx && g.cy > g.ry && g.cx < w - g.rx && g.cy < h - g.ry) else { continue }
            if placer.free(g, margin: 30) { placer.add(g, glomerulus: true); glomeruli.append(g) }
        }
        var tubules: [SceneEllipse] = []
        let tries = Int(tissueArea / (44 * 44)) * 3   // packed cortex: tubules are most of the tissue
        for _ in 0..<tries {
            let r = Float(rng.uniform(20, 58))
            let dense = rng.uniform() < 0.15
            let t = SceneEllipse(cx: Float(rng.uniform(0, Double(w))), cy: Float(rng.uniform(0, Double(h))),
                                 rx: r * Float(rng.uniform(0.75, 1.25)), ry: r * Float(rng.uniform(0.6, 1.1)),
                                 angle: Float(rng.uniform(0, .pi)), lobes: Float(dense ? rng.uniform(0.1, 0.25) : rng.uniform(0.3, 0.6)),
                                 phase: Float(rng.uniform(0, 6.28)), dense: dense)
            guard tissue.field(t.cx, t.cy) > 0, placer.free(t, margin: 4) else { continue }
            placer.add(t, glomerulus: false)
            tubules.append(t)
        }
        self.glomeruli = glomeruli
        self.tubules = tubules
    }

    @inline(__always)
    func tissueField(_ x: Float, _ y: Float) -> Float { tissue.field(x, y) }

    /// Annotation polygons of the glomeruli as they appear: ellipse outlines pulled in where the
    /// tissue edge cuts them (as a pathologist traces only visible tissue).
    var polygons: [Polygon] {
        glomeruli.compactMap { g in
            guard tissueField(g.cx, g.cy) > 0 else { return nil }
            var ring: [SIMD2<Double>] = []
            for k in 0..<48 {
                let a = Float(k) / 48 * 2 * .pi
                let u = Foundation.cos(a), v = Foundation.sin(a)
                let ex = g.cx + u * g.rx * g.cos - v * g.ry * g.sin, ey = g.cy + u * g.rx * g.sin + v * g.ry * g.cos
                var t: Float = 1
                if tissueField(ex, ey) <= 0 {
                    var lo: Float = 0, hi: Float = 1
                    for _ in 0..<12 {
                        let mid = (lo + hi) / 2
                        if tissueField(g.cx + (ex - g.cx) * mid, g.cy + (ey - g.cy) * mid) > 0 { lo = mid } else { hi = mid }
                    }
                    t = lo
                }
                // integer vertices, as in the HuBMAP files, so the JSON and train.csv describe the same mask
                ring.append(SIMD2(Double(g.cx + (ex - g.cx) * t).rounded(), Double(g.cy + (ey - g.cy) * t).rounded()))
            }
            return Polygon(rings: [ring])
        }
    }
}

extension SyntheticScene {
    /// The tissue section's outline as one polygon, for the anatomical-structure file: on each of
    /// 256 rays from the section's centre, the farthest point still in tissue (to 1 px).
    var tissueOutline: Polygon {
        let maxRadius = Float(max(width, height))
        var ring: [SIMD2<Double>] = []
        for k in 0..<256 {
            let a = Float(k) / 256 * 2 * .pi
            let u = Foundation.cos(a), v = Foundation.sin(a)
            var last: Float = 0
            var r: Float = 0
            while r < maxRadius {
                let x = tissue.cx + u * r, y = tissue.cy + v * r
                guard x >= 0, y >= 0, x < Float(width), y < Float(height) else { break }
                if tissue.field(x, y) > 0 { last = r }
                r += 1
            }
            ring.append(SIMD2(Double(tissue.cx + u * last).rounded(), Double(tissue.cy + v * last).rounded()))
        }
        return Polygon(rings: [ring])
    }
}

/// The tissue outline: a noisy ellipse, so sections have irregular edges and a few gaps.
struct TissueShape: Sendable {
    var cx, cy, rx, ry, cell: Float
    var seed: UInt64

    /// Signed tissue field: tissue where positive.
    @inline(__always)
    func field(_ x: Float, _ y: Float) -> Float {
        let u = (x - cx) / rx, v = (y - cy) / ry
        let coarse = SyntheticNoise.value(x, y, cell: cell, seed ^ 0xA1) - 0.5
        let fine = SyntheticNoise.value(x, y, cell: 60, seed ^ 0xB2) - 0.5
        return 0.55 - 0.55 * (u * u + v * v) + 0.45 * coarse + 0.1 * fine
    }
}

/// A coarse grid of placed objects for overlap rejection while laying out a scene.
struct ScenePlacer {
    private let cell: Float = 128
    private let columns: Int
    private var cells: [[SceneEllipse]]

    init(width: Float, height: Float) {
        columns = Int(width / cell) + 1
        cells = Array(repeating: [], count: columns * (Int(height / cell) + 1))
    }

    private func index(_ x: Float, _ y: Float) -> Int? {
        let c = Int((x / cell).rounded(.down)), r = Int((y / cell).rounded(.down))
        guard c >= 0, r >= 0, c < columns, r * columns + c < cells.count else { return nil }
        return r * columns + c
    }

    func free(_ e: SceneEllipse, margin: Float) -> Bool {
        let reach = max(e.rx, e.ry) + 175 + margin
        let span = Int(reach / cell) + 1
        let c0 = Int((e.cx / cell).rounded(.down)), r0 = Int((e.cy / cell).rounded(.down))
        for r in (r0 - span)...(r0 + span) {
            for c in (c0 - span)...(c0 + span) {
                guard c >= 0, r >= 0, c < columns, r * columns + c < cells.count else { continue }
                for o in cells[r * columns + c] {
                    let dx = o.cx - e.cx, dy = o.cy - e.cy
                    let limit = (max(o.rx, o.ry) + max(e.rx, e.ry)) * (o.lobes >= 4 || e.lobes >= 4 ? 1 : 0.92) + margin
                    if dx * dx + dy * dy < limit * limit { return false }
                }
            }
        }
        return true
    }

    mutating func add(_ e: SceneEllipse, glomerulus: Bool) {
        if let i = index(e.cx, e.cy) { cells[i].append(e) }
    }
}
