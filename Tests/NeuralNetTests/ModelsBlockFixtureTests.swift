import Foundation
@testable import NeuralNet
import Testing

/// The MBConv block against a committed PyTorch reference (no torch needed):
/// block 5 of smp's efficientnet-b2, k5/s2 with static padding (2, 2), in eval
/// and train mode (scripts/nn/smp/make_block_fixture.py).
@Suite struct ModelsBlockFixtureTests {
    @Test func mbConvBlockMatchesPyTorch() throws {
        let archive = try Safetensors.read(contentsOf: NNFixtures.url("mbconv_b2_block5.safetensors"))
        let t = archive.tensors
        let config = try #require(EfficientNetConfig(named: "efficientnet-b2"))
        let spec = config.blocks[5]
        #expect(spec.kernel == 5 && spec.stride == 2 && spec.padding == (2, 2))

        let store = ParameterStore(seed: 0)
        let cache = InferenceCache(store: store)
        let block = MBConvBlock(store.scope(), cache: cache, spec: spec, eps: config.batchNormEpsilon, momentum: config.batchNormMomentum)
        let weights = t.filter { !$0.key.contains("input") && !$0.key.contains("output") && !$0.key.hasPrefix("after.") }
        try store.load(weights)
        let input = Variable(try #require(t["input"]))
        var rng = store.rng

        store.training = false
        let eval = block(input, dropConnect: 0, rng: &rng).value
        #expect(eval.shape == t["eval_output"]!.shape)
        #expect(eval.maxAbsDifference(t["eval_output"]!) < 1e-4)

        store.training = true
        cache.invalidate()
        let train = block(input, dropConnect: 0, rng: &rng).value
        #expect(train.maxAbsDifference(t["train_output"]!) < 1e-4)
        #expect(block.depthwise.bn.runningMean.value.maxAbsDifference(t["after._bn1.running_mean"]!) < 1e-5)
        #expect(block.depthwise.bn.runningVar.value.maxAbsDifference(t["after._bn1.running_var"]!) < 1e-4)
    }
}
