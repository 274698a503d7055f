import Foundation
import NeuralNet
import Testing
import TestSupport

/// Training through whole models: gradients reach every parameter, a few
/// Adam steps fit a fixed batch, and checkpoints resume training exactly.
@Suite struct ModelsTrainingTests {
    static func batch(_ rng: inout SeededRandom, n: Int = 2, side: Int = 32) -> (Tensor, Tensor) {
        let x = Tensor(shape: [n, 3, side, side], storage: (0..<(n * 3 * side * side)).map { _ in rng.float(-1, 1) })
        let y = Tensor(shape: [n, 1, side, side], storage: (0..<(n * side * side)).map { i in (i % side) < side / 2 ? 1 : 0 })
        return (x, y)
    }

    @Test(arguments: [SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 3, decoderChannels: [16, 8, 8]),
                      SegmentationModelConfig(arch: .linknet, encoder: .efficientnet(0), encoderDepth: 3)])
    func adamStepsFitAFixedBatch(_ config: SegmentationModelConfig) throws {
        let model = try SegmentationModel(config, seed: 3)
        var rng = SeededRandom(seed: 9)
        let (x, y) = Self.batch(&rng)
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        var losses: [Float] = []
        for step in 0..<6 {
            model.store.zeroGrad()
            let loss = bceWithLogits(try model.forward(x), y)
            losses.append(loss.value.scalar)
            loss.backward()
            if step == 0 {
                // Every parameter used by a depth-3 forward gets a gradient.
                let used = model.parameters.filter { !$0.name.contains("layer4") && !$0.name.contains("layer3") && !$0.name.contains("_conv_head") }
                let missing = used.filter { $0.variable.grad == nil }.map(\.name)
                if config.encoder == .resnet18 { #expect(missing.isEmpty, "no gradient: \(missing.prefix(5))") }
            }
            optimizer.step()
        }
        #expect(losses.last! < losses.first!, "losses \(losses)")
        let tracked = model.stateDict().first { $0.name == "encoder.\(config.encoder == .resnet18 ? "bn1" : "_bn0").num_batches_tracked" }
        #expect(tracked?.tensor.storage == [6])
    }

    @Test func checkpointsResumeTrainingExactly() throws {
        let config = SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 2, decoderChannels: [8, 8])
        let dir = try TemporaryDirectory("resume")
        defer { dir.remove() }
        var rng = SeededRandom(seed: 4)
        let (x, y) = Self.batch(&rng, side: 16)
        func step(_ model: SegmentationModel, _ optimizer: Adam) throws -> Float {
            model.store.zeroGrad()
            let loss = bceWithLogits(try model.forward(x), y)
            loss.backward()
            optimizer.step()
            return loss.value.scalar
        }
        let a = try SegmentationModel(config, seed: 1)
        let optA = Adam(parameters: a.parameters, learningRate: 1e-3)
        _ = try step(a, optA)
        try ModelCheckpoint.save(a, to: dir.file("m.safetensors"), metadata: ["epoch": "1"])
        try ModelCheckpoint.saveOptimizer(optA, to: dir.file("o.safetensors"), metadata: ["epoch": "1"])
        let expected = try step(a, optA)

        let b = try ModelCheckpoint.open(dir.file("m.safetensors"), seed: 99)
        #expect(b.config == config)
        let optB = Adam(parameters: b.parameters, learningRate: 1e-3)
        #expect(try ModelCheckpoint.loadOptimizer(optB, from: dir.file("o.safetensors"))["epoch"] == "1")
        #expect(optB.stepCount == 1)
        let resumed = try step(b, optB)
        #expect(resumed == expected)
        let wa = a.stateDict(), wb = Dictionary(uniqueKeysWithValues: b.stateDict().map { ($0.name, $0.tensor) })
        for (name, t) in wa { #expect(wb[name] == t, "\(name) differs after the resumed step") }
    }

    @Test func evalModeFoldsBatchNormAndRecordsNoGraph() throws {
        let config = SegmentationModelConfig(arch: .linknet, encoder: .resnet18, encoderDepth: 2)
        let model = try SegmentationModel(config, seed: 2)
        var rng = SeededRandom(seed: 8)
        let (x, _) = Self.batch(&rng, side: 16)
        _ = try model.forward(x)          // moves running statistics away from 0 / 1
        model.training = false
        let folded = try model.forward(x)
        #expect(!folded.requiresGrad)
        // A fresh model loaded with the same state folds to the same weights (the cache follows load()).
        let copy = try SegmentationModel(config, seed: 5)
        try copy.load(Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.name, $0.tensor) }))
        copy.training = false
        #expect(try copy.forward(x).value.maxAbsDifference(folded.value) == 0)
        // Editing a weight by hand and calling weightsChanged() refolds.
        model.parameters[0].variable.value = Tensor(shape: model.parameters[0].variable.shape)
        model.weightsChanged()
        #expect(try model.forward(x).value.maxAbsDifference(folded.value) > 0)
    }

    @Test func checkpointErrorsNameTheFile() throws {
        let dir = try TemporaryDirectory("ckpt-errors")
        defer { dir.remove() }
        let small = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]))
        try ModelCheckpoint.save(small, to: dir.file("r18.safetensors"))
        let other = try SegmentationModel(SegmentationModelConfig(arch: .linknet, encoder: .resnet18, encoderDepth: 1))
        do {
            try ModelCheckpoint.load(into: other, from: dir.file("r18.safetensors"))
            Issue.record("a unet checkpoint loaded into a linknet")
        } catch let e as CheckpointError {
            #expect(e.path.hasSuffix("r18.safetensors"))
            #expect(e.code == .mismatch)
        }
        try Safetensors.write([SafetensorsEntry("x", Tensor(shape: [1], storage: [1]))], to: dir.file("plain.safetensors"))
        #expect(throws: CheckpointError.self) { try ModelCheckpoint.open(dir.file("plain.safetensors")) }
    }
}
