import NeuralNet
import Testing

/// The same seed, data order and thread count give bit-identical weights.
@Suite struct DeterminismTests {
    /// A tiny U-Net-shaped model: every op family a real model uses.
    final class TinyNet {
        let store: ParameterStore
        let stem, mid, head: Conv2d
        let bn: BatchNorm2d
        let dw: Conv2d
        let up: Variable

        init(seed: UInt64) {
            store = ParameterStore(seed: seed)
            let root = store.scope()
            stem = Conv2d(root.child("stem"), inChannels: 3, outChannels: 8, kernelSize: 3, options: Conv2dOptions(padding: 1), bias: false)
            bn = BatchNorm2d(root.child("bn"), features: 8)
            dw = Conv2d(root.child("dw"), inChannels: 8, outChannels: 8, kernelSize: 3,
                        options: Conv2dOptions(stride: 2, padding: .same, groups: 8))
            mid = Conv2d(root.child("mid"), inChannels: 8, outChannels: 8, kernelSize: 1)
            up = root.parameter("up.weight", store.rng.uniformTensor([8, 4, 2, 2], -0.3, 0.3))
            head = Conv2d(root.child("head"), inChannels: 12, outChannels: 1, kernelSize: 3, options: Conv2dOptions(padding: 1))
        }

        func callAsFunction(_ x: Variable) -> Variable {
            let skip = relu(bn(stem(x)))
            let down = silu(dw(skip))
            let gate = sigmoid(adaptiveAvgPool2d(down, output: 1))
            let deep = mid(multiply(down, gate)) + down
            let back = convTranspose2d(deep, weight: up, stride: 2)
            return head(concat([upsampleNearest(maxPool2d(skip, kernel: 2)), back]))
        }
    }

    static func train(threads: Int, steps: Int = 4) -> [(name: String, tensor: Tensor)] {
        Compute.$current.withValue(Compute(threads: threads)) {
            let net = TinyNet(seed: 42)
            var data = SplitMix64(seed: 7)
            let opt = Lookahead(Adam(parameters: net.store.parameters, learningRate: 1e-2),
                                parameters: net.store.parameters, k: 2, alpha: 0.5)
            for step in 0..<steps {
                let x = Variable(data.uniformTensor([4, 3, 8, 8], -1, 1))
                let target = data.uniformTensor([4, 1, 8, 8], 0, 1).map { $0 > 0.6 ? 1 : 0 }
                net.store.zeroGrad()
                let loss = bceJaccardLoss(net(x), target)
                loss.backward()
                clipGradNorm(net.store.parameters.map(\.variable), maxNorm: 5)
                opt.learningRate = LearningRateSchedule.cosine(total: steps).learningRate(base: 1e-2, step: step)
                opt.step()
            }
            return net.store.stateDict()
        }
    }

    @Test(arguments: [1, 2, 3])
    func sameThreadCountGivesBitIdenticalWeights(threads: Int) {
        let a = Self.train(threads: threads), b = Self.train(threads: threads)
        #expect(a.map(\.name) == b.map(\.name))
        #expect(zip(a, b).allSatisfy { $0.tensor == $1.tensor })
    }

    @Test func threadCountsAgreeClosely() {
        let a = Self.train(threads: 1), b = Self.train(threads: 2)
        for (x, y) in zip(a, b) { #expect(x.tensor.maxAbsDifference(y.tensor) < 1e-4, "\(x.name)") }
        // Training really moved the weights.
        let fresh = TinyNet(seed: 42).store.stateDict()
        #expect(zip(fresh, a).contains { $0.tensor.maxAbsDifference($1.tensor) > 1e-3 })
    }
}
