import Foundation
import NeuralNet
import Testing
import TestSupport

/// Full-model compatibility with segmentation_models_pytorch, both ways, on
/// random weights with randomised batch norm statistics. Runs when torch, smp
/// and safetensors are installed (scripts/install-deps.sh --test) and skips otherwise (fails in CI).
@Suite(.serialized) struct ModelsCompatibilityTests {
    static let available = pythonHas("torch", "segmentation_models_pytorch", "safetensors")
    static let scripts = NNFixtures.repositoryRoot.appendingPathComponent("scripts/nn/smp")
    static let cases: [(String, String, Int)] = [
        ("unet", "resnet18", 5), ("unet", "efficientnet-b0", 5),
        ("linknet", "resnet34", 5), ("unet", "efficientnet-b3", 4), ("linknet", "efficientnet-b1", 5),
    ]

    static func config(_ arch: String, _ encoder: String, _ depth: Int) -> SegmentationModelConfig {
        SegmentationModelConfig(arch: SegmentationArch(rawValue: arch)!, encoder: EncoderName(encoder)!, encoderDepth: depth)
    }

    static func python(_ script: String, _ args: [String]) throws -> ProcessResult {
        try runProcess("python3", [scripts.appendingPathComponent(script).path] + args)
    }

    @Test(.enabled(if: available), arguments: cases)
    func smpStateDictGivesSmpLogits(_ arch: String, _ encoder: String, _ depth: Int) throws {
        let dir = try TemporaryDirectory("smp-to-pipe")
        defer { dir.remove() }
        let export = try Self.python("export_reference.py", ["--arch", arch, "--encoder", encoder, "--depth", String(depth),
                                                             "--out", dir.path, "--batch", "2", "--size", "64", "--seed", "3"])
        try #require(export.status == 0, "\(export.stderr)")
        let model = try SegmentationModel(Self.config(arch, encoder, depth))
        try ModelCheckpoint.load(into: model, from: dir.file("weights.safetensors"))
        model.training = false
        let input = try Npy.read(contentsOf: dir.file("input.npy"))
        let expected = try Npy.read(contentsOf: dir.file("logits.npy"))
        let logits = try model.forward(input).value
        #expect(logits.shape == expected.shape)
        let diff = logits.maxAbsDifference(expected)
        #expect(diff <= 1e-3, "\(arch)-\(encoder): max abs difference \(diff)")
    }

    /// Variance-preserving random weights and batch norm state of moderate
    /// scale (as export_reference.py makes them), so eval-mode logits stay O(1).
    static func randomState(_ model: SegmentationModel, _ rng: inout SeededRandom) -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (name, t) in model.stateDict() {
            var v = t
            let fanIn = Float(t.shape.dropFirst().reduce(1, *))
            for i in 0..<v.count {
                let u = rng.float(-1, 1)
                if t.shape.count > 1 { v.storage[i] = u * (3 / fanIn).squareRoot() }
                else if name.hasSuffix("running_var") { v.storage[i] = 0.5 + abs(u) }
                else if name.hasSuffix("num_batches_tracked") { v.storage[i] = 100 }
                else if name.hasSuffix("weight") { v.storage[i] = 1 + 0.2 * u }
                else { v.storage[i] = 0.1 * u }
            }
            state[name] = v
        }
        return state
    }

    @Test(.enabled(if: available), arguments: cases)
    func pipeCheckpointLoadsStrictlyIntoSmp(_ arch: String, _ encoder: String, _ depth: Int) throws {
        let dir = try TemporaryDirectory("pipe-to-smp")
        defer { dir.remove() }
        let model = try SegmentationModel(Self.config(arch, encoder, depth), seed: 11)
        var rng = SeededRandom(seed: 5)
        try model.load(Self.randomState(model, &rng))
        func batch() -> Tensor { Tensor(shape: [2, 3, 64, 64], storage: (0..<(2 * 3 * 64 * 64)).map { _ in rng.float(-2, 2) }) }
        // Train in pipe: two Adam steps on BCE against a random mask move the
        // weights; batch statistics move the running buffers and counters.
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        for _ in 0..<2 {
            model.store.zeroGrad()
            let logits = try model.forward(batch())
            let mask = Tensor(shape: logits.shape, storage: (0..<logits.value.count).map { _ in rng.float() < 0.3 ? 1 : 0 })
            bceWithLogits(logits, mask).backward()
            optimizer.step()
        }
        model.training = false
        let input = batch()
        let logits = try model.forward(input).value
        try ModelCheckpoint.save(model, to: dir.file("pipe.safetensors"))
        try Npy.write(input, to: dir.file("input.npy"))
        try Npy.write(logits, to: dir.file("logits.npy"))
        let check = try Self.python("check_pipe_checkpoint.py", [
            "--arch", arch, "--encoder", encoder, "--depth", String(depth), "--weights", dir.file("pipe.safetensors").path,
            "--input", dir.file("input.npy").path, "--logits", dir.file("logits.npy").path, "--tolerance", "1e-3"])
        let scale = logits.storage.map(abs).max() ?? 0
        #expect(check.status == 0, "\(arch)-\(encoder): \(check.stdout) \(check.stderr) (logits up to \(scale))")
        #expect(check.stdout.contains("max_abs_diff"))
    }
    /// `recomputeBatchNormStatistics` against `torch.optim.swa_utils.update_bn`
    /// on the same weights and batches (resnet18: no stochastic layers, so the
    /// training-mode forwards are the same computation on both sides).
    @Test(.enabled(if: available))
    func recomputedBatchNormStatisticsMatchUpdateBn() throws {
        let dir = try TemporaryDirectory("update-bn")
        defer { dir.remove() }
        let model = try SegmentationModel(Self.config("unet", "resnet18", 5), seed: 2)
        var rng = SeededRandom(seed: 8)
        try model.load(Self.randomState(model, &rng))
        try ModelCheckpoint.save(model, to: dir.file("before.safetensors"))
        let (batch, count) = (2, 3)
        let images = Tensor(shape: [batch * count, 3, 64, 64], storage: (0..<(batch * count * 3 * 64 * 64)).map { _ in rng.float(-2, 2) })
        try Npy.write(images, to: dir.file("batches.npy"))
        let batches = (0..<count).map { k in
            Tensor(shape: [batch, 3, 64, 64], storage: Array(images.storage[(k * batch * 3 * 64 * 64)..<((k + 1) * batch * 3 * 64 * 64)]))
        }
        try model.recomputeBatchNormStatistics(over: batches)
        try ModelCheckpoint.save(model, to: dir.file("after.safetensors"))
        let check = try Self.python("check_update_bn.py", [
            "--arch", "unet", "--encoder", "resnet18", "--weights", dir.file("before.safetensors").path,
            "--batches", dir.file("batches.npy").path, "--batch", String(batch), "--recomputed", dir.file("after.safetensors").path])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("max_abs_diff"))
    }
}
