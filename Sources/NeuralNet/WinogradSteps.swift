import NeuralNetKernels

/// Which of Winograd's algorithms a 3x3 convolution runs: F(2x2, 3x3)
/// (`WinogradTransforms`, 16 products per 2x2 output tile) or F(4x4, 3x3)
/// (`Winograd4x4`, 36 per 4x4 tile: 2.25 per output against 4, on tile
/// matrices about half the size). F(4x4, 3x3) exists only in the AVX2 build.
enum WinogradScheme: Sendable {
    case f2x2, f4x4

    /// Outputs a tile covers along each side.
    var tile: Int { self == .f2x2 ? 2 : Winograd4x4.tile }
    /// Transformed elements per tile: the GEMMs a convolution runs.
    var elements: Int { self == .f2x2 ? 16 : Winograd4x4.elements }

    /// Tiles along an edge of `side` outputs.
    func tiles(_ side: Int) -> Int { (side + tile - 1) / tile }

    /// The scheme for `n` images of `h x w`: F(4x4, 3x3) where the kernels run
    /// and it costs less, counting each filter element's transforms as
    /// `filterCost` tile products. F(2x2, 3x3) keeps small planes (a 2x2 plane
    /// needs one 2x2 tile, 16 products, against one 4x4 tile's 36) and wide
    /// layers on few tiles (512 x 512 channels on 16 4x4 planes: 36 x (16 + 48)
    /// against 16 x (64 + 48)).
    static func best(images n: Int, h: Int, w: Int, kernels: Bool) -> WinogradScheme {
        let small = WinogradScheme.f2x2, large = WinogradScheme.f4x4
        guard kernels else { return small }
        if let forced { return forced }
        func cost(_ s: WinogradScheme) -> Int { s.elements * (n * s.tiles(h) * s.tiles(w) + filterCost) }
        return cost(large) < cost(small) ? large : small
    }

    /// Tests set this to run every Winograd convolution with the kernels by one scheme.
    @TaskLocal static var forced: WinogradScheme?

    /// What transforming one filter element costs a step (the filter's
    /// transform for the forward and for the input gradient, the weight
    /// gradient's transform back), in the units of one tile's product of one
    /// element. U-Net-resnet18 training, CPU seconds for 12 steps (batch 16,
    /// 128²): 21.4 with F(2x2, 3x3) only, 18.3 with this cost at 48; 30 steps
    /// at 64²: 14.5 either way, 16.4 with the cost at 16.
    static let filterCost = 48
}

/// The Winograd transforms an op runs: NeuralNetKernels' AVX2 build
/// (`WinogradAVX2`, `Winograd4x4`) when `KernelSupport.available` on the
/// thread that starts the op, else the portable F(2x2, 3x3) copies inlined
/// here, which give the AVX2 build's bits.
struct WinogradSteps {
    let avx2: Bool
    let scheme: WinogradScheme

    /// Reads `KernelSupport.available`; call it before handing work to workers.
    init(_ scheme: WinogradScheme = .f2x2) { self.init(avx2: KernelSupport.available, scheme: scheme) }

    /// A chosen build (tests compare the two).
    init(avx2: Bool, scheme: WinogradScheme = .f2x2) {
        precondition(avx2 || scheme == .f2x2, "F(4x4, 3x3) runs only in the AVX2 build")
        self.avx2 = avx2
        self.scheme = scheme
    }

    /// Floats of the scratch plane `planeInputTiles` needs for `tilesY x tilesX` tiles.
    func splitPlaneSize(tilesY: Int, tilesX: Int) -> Int {
        scheme == .f4x4 ? Winograd4x4.splitPlaneSize(tilesY: tilesY, tilesX: tilesX)
            : WinogradTransforms.splitPlaneSize(tilesY: tilesY, tilesX: tilesX)
    }

    func filters(_ g: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ u: UnsafeMutablePointer<Float>) {
        if scheme == .f4x4 { Winograd4x4.filters(g, range, matrixStride: matrixStride, u); return }
        if avx2 { WinogradAVX2.filters(g, range, matrixStride: matrixStride, u) } else { WinogradTransforms.filters(g, range, matrixStride: matrixStride, u) }
    }

    func filterGradients(_ du: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ dg: UnsafeMutablePointer<Float>) {
        if scheme == .f4x4 { Winograd4x4.filterGradients(du, range, matrixStride: matrixStride, dg); return }
        if avx2 {
            WinogradAVX2.filterGradients(du, range, matrixStride: matrixStride, dg)
        } else {
            WinogradTransforms.filterGradients(du, range, matrixStride: matrixStride, dg)
        }
    }

    func planeInputTiles(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, _ split: UnsafeMutablePointer<Float>,
                         _ v: UnsafeMutablePointer<Float>, planeStride: Int, matrixStride: Int) {
        if scheme == .f4x4 {
            Winograd4x4.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
        } else if avx2 {
            WinogradAVX2.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
        } else {
            WinogradTransforms.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
        }
    }

    func outputGradientTiles(_ gy: UnsafePointer<Float>, h: Int, w: Int, _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        if scheme == .f4x4 {
            Winograd4x4.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
        } else if avx2 {
            WinogradAVX2.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
        } else {
            WinogradTransforms.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
        }
    }

    func outputTiles(_ m: UnsafePointer<Float>, matrixStride: Int, h: Int, w: Int, _ y: UnsafeMutablePointer<Float>) {
        if scheme == .f4x4 {
            Winograd4x4.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
        } else if avx2 {
            WinogradAVX2.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
        } else {
            WinogradTransforms.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
        }
    }
}
