import NeuralNetKernels

/// The Winograd transforms an op runs: NeuralNetKernels' AVX2 build
/// (`WinogradAVX2`) when `KernelSupport.available` on the thread that starts
/// the op, else the portable copies inlined here. Both give the same bits.
struct WinogradSteps {
    let avx2: Bool

    /// Reads `KernelSupport.available`; call it before handing work to workers.
    init() { avx2 = KernelSupport.available }

    /// A chosen build (tests compare the two).
    init(avx2: Bool) { self.avx2 = avx2 }

    func filters(_ g: UnsafePointer<Float>, _ range: Range<Int>, count: Int, _ u: UnsafeMutablePointer<Float>) {
        if avx2 { WinogradAVX2.filters(g, range, count: count, u) } else { WinogradTransforms.filters(g, range, count: count, u) }
    }

    func filterGradients(_ du: UnsafePointer<Float>, _ range: Range<Int>, count: Int, _ dg: UnsafeMutablePointer<Float>) {
        if avx2 {
            WinogradAVX2.filterGradients(du, range, count: count, dg)
        } else {
            WinogradTransforms.filterGradients(du, range, count: count, dg)
        }
    }

    func planeInputTiles(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, _ split: UnsafeMutablePointer<Float>,
                         _ v: UnsafeMutablePointer<Float>, planeStride: Int, matrixStride: Int) {
        if avx2 {
            WinogradAVX2.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
        } else {
            WinogradTransforms.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
        }
    }

    func outputGradientTiles(_ gy: UnsafePointer<Float>, h: Int, w: Int, _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        if avx2 {
            WinogradAVX2.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
        } else {
            WinogradTransforms.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
        }
    }

    func outputTiles(_ m: UnsafePointer<Float>, matrixStride: Int, h: Int, w: Int, _ y: UnsafeMutablePointer<Float>) {
        if avx2 {
            WinogradAVX2.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
        } else {
            WinogradTransforms.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
        }
    }
}
