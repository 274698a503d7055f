import NeuralNet
import Testing

/// Forward and backward of every op against PyTorch (scripts/nn/fixtures/ops.json).
@Suite struct OpsFixtureTests {
    @Test(arguments: Fixture.load("ops", op: "conv2d"))
    func conv2dMatchesPyTorch(_ f: Fixture) {
        let pad: ConvPadding
        if f.params["padding"] as? String == "same" {
            pad = .same
        } else {
            let p = f.ints("padding")
            pad = .explicit(Padding2d(top: p[0], bottom: p[1], left: p[2], right: p[3]))
        }
        let s = f.ints("stride"), d = f.ints("dilation")
        let options = Conv2dOptions(stride: Size2d(s[0], s[1]), padding: pad, dilation: Size2d(d[0], d[1]), groups: f.int("groups"))
        let hasBias = f.tensors["bias"] != nil
        checkAgainstFixture(f, inputs: hasBias ? ["x", "weight", "bias"] : ["x", "weight"]) { v in
            conv2d(v[0], weight: v[1], bias: hasBias ? v[2] : nil, options: options)
        }
    }

    @Test(arguments: Fixture.load("ops", op: "batch_norm"))
    func batchNormMatchesPyTorch(_ f: Fixture) {
        let rm = Buffer(f.tensor("running_mean_before")), rv = Buffer(f.tensor("running_var_before"))
        checkAgainstFixture(f, inputs: ["x", "weight", "bias"]) { v in
            batchNorm2d(v[0], weight: v[1], bias: v[2], runningMean: rm, runningVar: rv,
                        training: f.bool("training"), momentum: f.float("momentum"), eps: f.float("eps"))
        }
        #expect(close(rm.value, f.tensor("running_mean_after"), atol: 1e-6), "running mean")
        #expect(close(rv.value, f.tensor("running_var_after"), atol: 1e-6), "running var")
    }

    @Test(arguments: Fixture.load("ops").filter { ["relu", "sigmoid", "silu", "add", "multiply"].contains($0.op) })
    func pointwiseMatchesPyTorch(_ f: Fixture) {
        switch f.op {
        case "relu": checkAgainstFixture(f, inputs: ["x"]) { relu($0[0]) }
        case "sigmoid": checkAgainstFixture(f, inputs: ["x"]) { sigmoid($0[0]) }
        case "silu": checkAgainstFixture(f, inputs: ["x"]) { silu($0[0]) }
        case "add": checkAgainstFixture(f, inputs: ["a", "b"]) { add($0[0], $0[1]) }
        default: checkAgainstFixture(f, inputs: ["a", "b"]) { multiply($0[0], $0[1]) }
        }
    }

    @Test(arguments: Fixture.load("ops", op: "linear"))
    func linearMatchesPyTorch(_ f: Fixture) {
        checkAgainstFixture(f, inputs: ["x", "weight", "bias"]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        #expect(gradientCheck([f.tensor("x"), f.tensor("weight")]) { linear($0[0], weight: $0[1]) } <= 0)
    }
}
