import NeuralNet
import Testing

/// Names, state dicts, loading and the training flag.
@Suite struct ParameterStoreTests {
    static func resnetStem() -> (ParameterStore, Conv2d, BatchNorm2d) {
        let store = ParameterStore(seed: 3)
        let encoder = store.scope("encoder")
        let conv = Conv2d(encoder.child("layer1").child(0).child("conv1"), inChannels: 4, outChannels: 4,
                          kernelSize: 3, options: Conv2dOptions(padding: 1), bias: false)
        let bn = BatchNorm2d(encoder.child("layer1").child(0).child("bn1"), features: 4)
        return (store, conv, bn)
    }

    @Test func namesFollowPyTorchStateDicts() {
        let (store, conv, _) = Self.resnetStem()
        #expect(store.stateDict().map(\.name) == [
            "encoder.layer1.0.conv1.weight", "encoder.layer1.0.bn1.weight", "encoder.layer1.0.bn1.bias",
            "encoder.layer1.0.bn1.running_mean", "encoder.layer1.0.bn1.running_var", "encoder.layer1.0.bn1.num_batches_tracked",
        ])
        #expect(conv.weight.shape == [4, 4, 3, 3])
        let bound = 1 / Float(36).squareRoot()  // PyTorch's default init range, fan_in = 4*3*3
        #expect(conv.weight.value.storage.allSatisfy { abs($0) <= bound })
    }

    @Test func loadCopiesByNameAndRejectsMismatches() throws {
        let (store, conv, bn) = Self.resnetStem()
        var state = Dictionary(uniqueKeysWithValues: store.stateDict().map { ($0.name, $0.tensor) })
        state["encoder.layer1.0.conv1.weight"] = Tensor(shape: [4, 4, 3, 3], repeating: 0.5)
        state["encoder.layer1.0.bn1.running_var"] = Tensor(shape: [4], repeating: 2)
        try store.load(state)
        #expect(conv.weight.value.storage.allSatisfy { $0 == 0.5 })
        #expect(bn.runningVar.value.storage == [2, 2, 2, 2])

        var wrongShape = state
        wrongShape["encoder.layer1.0.bn1.bias"] = Tensor(shape: [5])
        #expect(throws: NeuralNetError.self) { try store.load(wrongShape) }
        var missing = state
        missing.removeValue(forKey: "encoder.layer1.0.bn1.weight")
        #expect(throws: NeuralNetError.self) { try store.load(missing) }
        try store.load(missing, strict: false)
        var extra = state
        extra["decoder.x"] = Tensor(scalar: 1)
        #expect(throws: NeuralNetError.self) { try store.load(extra) }
    }

    @Test func batchNormLayerFollowsTrainingFlag() {
        let (store, conv, bn) = Self.resnetStem()
        var rng = SplitMix64(seed: 5)
        let x = Variable(rng.uniformTensor([2, 4, 3, 3], 0, 2))
        _ = bn(conv(x))
        #expect(bn.numBatchesTracked.value.scalar == 1)
        #expect(bn.runningMean.value.storage != [0, 0, 0, 0])
        store.training = false
        let before = bn.runningMean.value
        let y = bn(conv(x))
        #expect(bn.runningMean.value == before && bn.numBatchesTracked.value.scalar == 1)
        #expect(!y.requiresGrad || conv.weight.requiresGrad)
    }

    @Test func inferenceBuildsNoGraph() {
        let x = Variable(Tensor(shape: [1, 1, 2, 2], repeating: 1))
        let y = relu(add(x, x))
        #expect(!y.requiresGrad)
        let w = Variable(Tensor(shape: [1, 1, 1, 1], repeating: 2), requiresGrad: true)
        let z = conv2d(x, weight: w)
        z.backward()
        #expect(w.grad!.storage == [4])
        #expect(x.grad == nil)
    }
}
