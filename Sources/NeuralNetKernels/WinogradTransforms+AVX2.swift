/// `WinogradTransforms`' steps in this module's AVX2 + FMA build, for
/// NeuralNet to call when the CPU has `KernelRequirements.cpuFlags` (its own
/// inlined copies run SSE2's four lanes at a time). Same arguments, same bits.
public enum WinogradAVX2 {
    public static func filters(_ g: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ u: UnsafeMutablePointer<Float>) {
        WinogradTransforms.filters(g, range, matrixStride: matrixStride, u)
    }

    public static func filterGradients(_ du: UnsafePointer<Float>, _ range: Range<Int>, matrixStride: Int, _ dg: UnsafeMutablePointer<Float>) {
        WinogradTransforms.filterGradients(du, range, matrixStride: matrixStride, dg)
    }

    public static func planeInputTiles(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, _ split: UnsafeMutablePointer<Float>,
                                       _ v: UnsafeMutablePointer<Float>, planeStride: Int, matrixStride: Int) {
        WinogradTransforms.planeInputTiles(x, planes: planes, h: h, w: w, split, v, planeStride: planeStride, matrixStride: matrixStride)
    }

    public static func outputGradientTiles(_ gy: UnsafePointer<Float>, h: Int, w: Int, _ v: UnsafeMutablePointer<Float>, matrixStride: Int) {
        WinogradTransforms.outputGradientTiles(gy, h: h, w: w, v, matrixStride: matrixStride)
    }

    public static func outputTiles(_ m: UnsafePointer<Float>, matrixStride: Int, h: Int, w: Int, _ y: UnsafeMutablePointer<Float>) {
        WinogradTransforms.outputTiles(m, matrixStride: matrixStride, h: h, w: w, y)
    }
}
