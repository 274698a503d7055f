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

    /// Recomputed statistics are the plain average over the batches (so two
    /// batches give the mean of what each gives alone), replace whatever the
    /// running buffers held, and leave the parameters, the mode and the
    /// momentum of later training steps as they were.
    @Test func recomputedBatchNormStatisticsAverageTheBatches() throws {
        let config = SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 3, decoderChannels: [16, 8, 8])
        var rng = SeededRandom(seed: 12)
        let (a, _) = Self.batch(&rng, n: 3, side: 32)
        let (b, _) = Self.batch(&rng, n: 3, side: 32)
        func statistics(_ batches: [Tensor], stale: Bool = false) throws -> (SegmentationModel, [String: Tensor]) {
            let model = try SegmentationModel(config, seed: 5)
            if stale { for _ in 0..<3 { _ = try model.forward(b) } }   // running buffers moved away from their reset values
            model.training = false
            try model.recomputeBatchNormStatistics(over: batches)
            let state = Dictionary(uniqueKeysWithValues: model.stateDict().filter { $0.name.contains("running_") }.map { ($0.name, $0.tensor) })
            return (model, state)
        }
        let (model, both) = try statistics([a, b], stale: true)
        let (_, onlyA) = try statistics([a]), (_, onlyB) = try statistics([b])
        #expect(!both.isEmpty)
        var worst: Float = 0
        for (name, value) in both {
            for i in 0..<value.count {
                let mean = (onlyA[name]!.storage[i] + onlyB[name]!.storage[i]) / 2
                worst = max(worst, abs(value.storage[i] - mean) / max(1, abs(mean)))
            }
        }
        #expect(worst < 1e-5, "largest relative difference \(worst)")
        #expect(!model.training)
        let fresh = try SegmentationModel(config, seed: 5)
        #expect(zip(model.parameters, fresh.parameters).allSatisfy { $0.variable.value.storage == $1.variable.value.storage })
        // Afterwards a training step updates with the layer's momentum (0.1) again, not cumulatively.
        let name = "encoder.bn1.running_mean"
        let before = both[name]!.storage[0]
        model.training = true
        _ = try model.forward(a)
        let batchMean = onlyA[name]!.storage[0]
        let after = model.stateDict().first { $0.name == name }!.tensor.storage[0]
        #expect(abs(after - (0.9 * before + 0.1 * batchMean)) < 1e-5, "after \(after), before \(before), batch \(batchMean)")
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
