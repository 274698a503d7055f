import Foundation
@testable import NeuralNet
import NeuralNetKernels
import Testing

@Suite struct VectorMathTests {
    /// Every 1/64 from -90 to 90, plus the clamp edges and zero.
    static let inputs: [Float] = (-90 * 64...90 * 64).map { Float($0) / 64 } + [-87.3, 88.3, -0.0, 1e-8, -1e-8]

    @Test func expMatchesTheCLibraryToARelativeTwoMillionth() {
        var worst: Double = 0
        for start in stride(from: 0, to: Self.inputs.count, by: 8) {
            var lanes = SIMD8<Float>()
            let n = min(8, Self.inputs.count - start)
            for k in 0..<n { lanes[k] = Self.inputs[start + k] }
            let out = LaneMath.exp(lanes)
            for k in 0..<n where abs(Self.inputs[start + k]) <= 87 {
                let want = Foundation.exp(Double(Self.inputs[start + k]))
                worst = max(worst, abs(Double(out[k]) - want) / want)
            }
        }
        #expect(worst < 2e-7, "worst relative error \(worst)")
    }

    @Test func sigmoidIsAccurateAndSaturatesCleanly() {
        for start in stride(from: 0, to: Self.inputs.count, by: 8) {
            var lanes = SIMD8<Float>()
            let n = min(8, Self.inputs.count - start)
            for k in 0..<n { lanes[k] = Self.inputs[start + k] }
            let out = LaneMath.sigmoid(lanes)
            for k in 0..<n {
                let x = Double(Self.inputs[start + k]), want = 1 / (1 + Foundation.exp(-x))
                #expect(out[k].isFinite && out[k] >= 0 && out[k] <= 1)
                #expect(abs(Double(out[k]) - want) <= 1e-7 + 2e-7 * want, "sigmoid(\(x)) = \(out[k]), want \(want)")
            }
        }
    }

    /// An element's result must not depend on where a parallel chunk starts or
    /// whether it falls in a padded last vector, so every thread count agrees.
    @Test func resultsDoNotDependOnChunkingOrThreads() {
        let x = Tensor(shape: [3, 5, 37, 41], storage: (0..<(3 * 5 * 37 * 41)).map { (i: Int) -> Float in
            Float((i * 7919) % 2001 - 1000) / 97
        })
        let one = Compute.$current.withValue(Compute(threads: 1)) { VectorMath.map(x, LaneMath.sigmoid) }
        let three = Compute.$current.withValue(Compute(threads: 3)) { VectorMath.map(x, LaneMath.sigmoid) }
        #expect(one.storage == three.storage)
        let head = Tensor(shape: [13], storage: Array(x.storage[0..<13]))
        #expect(Array(VectorMath.map(head, LaneMath.sigmoid).storage) == Array(one.storage[0..<13]))
    }

    /// The AVX2 build of the lane functions gives the portable build's bits.
    @Test func avx2BuildMatchesThePortableOne() throws {
        try #require(KernelSupport.available, "this CPU lacks AVX2 + FMA; the AVX2 build is never used here")
        let x = Tensor(shape: [Self.inputs.count], storage: Self.inputs)
        for (function, lanes) in [(LaneMath.Function.sigmoid, LaneMath.sigmoid), (.silu, LaneMath.silu)] as [(LaneMath.Function, (SIMD8<Float>) -> SIMD8<Float>)] {
            let portable = VectorMath.map(x, lanes), avx2 = VectorMath.map(x, function)
            #expect(avx2.storage.map(\.bitPattern) == portable.storage.map(\.bitPattern))
        }
    }
}
