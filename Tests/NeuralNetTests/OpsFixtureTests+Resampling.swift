import NeuralNet
import Testing
import TestSupport

/// Transposed convolution, pooling, upsampling and concat against PyTorch.
@Suite struct ResamplingFixtureTests {
    @Test(arguments: Fixture.load("ops", op: "conv_transpose2d"))
    func convTransposeMatchesPyTorch(_ f: Fixture) {
        let s = f.ints("stride"), p = f.ints("padding"), op = f.ints("output_padding")
        let hasBias = f.tensors["bias"] != nil
        checkAgainstFixture(f, inputs: hasBias ? ["x", "weight", "bias"] : ["x", "weight"]) { v in
            convTranspose2d(v[0], weight: v[1], bias: hasBias ? v[2] : nil, stride: Size2d(s[0], s[1]),
                            padding: Size2d(p[0], p[1]), outputPadding: Size2d(op[0], op[1]), groups: f.int("groups"))
        }
    }

    @Test(arguments: Fixture.load("ops").filter { ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"].contains($0.op) })
    func poolingMatchesPyTorch(_ f: Fixture) {
        checkAgainstFixture(f, inputs: ["x"]) { v in
            if f.op == "adaptive_avg_pool2d" {
                let o = f.ints("output")
                return adaptiveAvgPool2d(v[0], output: Size2d(o[0], o[1]))
            }
            let k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding")
            let args = (Size2d(k[0], k[1]), Size2d(s[0], s[1]), Size2d(p[0], p[1]))
            return f.op == "max_pool2d" ? maxPool2d(v[0], kernel: args.0, stride: args.1, padding: args.2)
                                        : avgPool2d(v[0], kernel: args.0, stride: args.1, padding: args.2)
        }
    }

    @Test(arguments: Fixture.load("ops").filter { ["upsample_nearest2x", "upsample_bilinear", "concat"].contains($0.op) })
    func upsampleAndConcatMatchPyTorch(_ f: Fixture) {
        switch f.op {
        case "upsample_nearest2x": checkAgainstFixture(f, inputs: ["x"]) { upsampleNearest($0[0], scale: 2) }
        case "concat": checkAgainstFixture(f, inputs: ["a", "b"]) { concat($0, axis: f.int("dim")) }
        default:
            let size = f.ints("size")
            checkAgainstFixture(f, inputs: ["x"]) {
                upsampleBilinear($0[0], size: Size2d(size[0], size[1]), alignCorners: f.bool("align_corners"))
            }
        }
    }
}

/// Finite-difference checks of the resampling ops.
@Suite struct ResamplingGradientTests {
    @Test func convTransposeGradients() {
        var rng = SeededRandom(seed: 11)
        let x = randomTensor([2, 4, 3, 3], &rng), w = randomTensor([4, 3, 4, 4], &rng), b = randomTensor([3], &rng)
        #expect(gradientCheck([x, w, b]) { convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) } <= 0)
        let w2 = randomTensor([4, 1, 3, 3], &rng)
        #expect(gradientCheck([x, w2]) { convTranspose2d($0[0], weight: $0[1], stride: 2, padding: 1, outputPadding: 1, groups: 2) } <= 0)
    }

    @Test func poolingGradients() {
        var rng = SeededRandom(seed: 12)
        // Distinct values spaced wider than the finite-difference step keep max pooling's argmax fixed.
        var x = Tensor(shape: [2, 2, 5, 6], storage: (0..<120).map { Float($0) * 0.05 })
        x.storage.shuffle(using: &rng)
        #expect(gradientCheck([x], h: 1e-3) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) } <= 0)
        let y = randomTensor([2, 2, 5, 6], &rng)
        #expect(gradientCheck([y]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1) } <= 0)
        #expect(gradientCheck([y]) { adaptiveAvgPool2d($0[0], output: Size2d(2, 4)) } <= 0)
    }

    @Test func upsampleConcatGradients() {
        var rng = SeededRandom(seed: 13)
        let x = randomTensor([1, 2, 3, 4], &rng), z = randomTensor([1, 3, 6, 8], &rng)
        #expect(gradientCheck([x]) { upsampleNearest($0[0], scale: 2) } <= 0)
        #expect(gradientCheck([x]) { upsampleBilinear($0[0], size: Size2d(7, 9)) } <= 0)
        #expect(gradientCheck([x]) { upsampleBilinear($0[0], size: Size2d(6, 5), alignCorners: true) } <= 0)
        #expect(gradientCheck([x, z]) { concat([upsampleNearest($0[0]), $0[1]]) } <= 0)
    }

    @Test func dropoutKeepsExpectationAndRoutesGradients() {
        var rng = SplitMix64(seed: 3)
        let x = Variable(Tensor(shape: [10_000], repeating: 1), requiresGrad: true)
        let y = dropout(x, p: 0.3, training: true, rng: &rng)
        let zeros = y.value.storage.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 10_000 - 0.3) < 0.02)
        #expect(abs(y.value.sum() / 10_000 - 1) < 0.03)
        y.backward()
        #expect(x.grad!.storage == y.value.storage)  // d/dx of x*mask is the mask, and x == 1
        #expect(dropout(x, p: 0.3, training: false, rng: &rng) === x)
    }
}
