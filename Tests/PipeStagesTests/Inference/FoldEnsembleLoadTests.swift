import Foundation
import NeuralNet
@testable import PipeStages
import TestSupport
import Testing

/// A real smp Unet (resnet18, depth 1, one 4-channel decoder block) saved as a fold directory.
@discardableResult
private func saveFold(_ directory: URL, seed: UInt64, mean: [Float] = [120, 110, 100], modelJSON: Bool = true) throws -> SegmentationModel {
    let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]), seed: seed)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let fields = "\"size\": 32, \"reduce\": 2, \"mean\": \(mean), \"std\": [60, 50, 40]"
    try ModelCheckpoint.save(model, to: directory.appendingPathComponent("best.safetensors"),
                             metadata: ["size": "32", "reduce": "2", "mean": "\(mean)", "std": "[60, 50, 40]"])
    if modelJSON { try Data("{\"arch\": \"unet\", \(fields)}".utf8).write(to: directory.appendingPathComponent("model.json")) }
    model.training = false
    return model
}

private func batch(seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor(shape: [2, 3, 32, 32], storage: (0..<(2 * 3 * 32 * 32)).map { _ in random.float(-2, 2) })
}

@Test func loadsACheckpointAFoldDirectoryAndATrainOutput() throws {
    let dir = try TemporaryDirectory("ensemble")
    defer { dir.remove() }
    let fold0 = try saveFold(dir.file("train/0"), seed: 1)
    let fold1 = try saveFold(dir.file("train/1"), seed: 2, mean: [100, 100, 100])
    let x = batch(seed: 3)

    let single = try FoldEnsemble.load(dir.file("train/0/best.safetensors"))
    #expect(single.models.count == 1 && single.size == 32 && single.reduce == 2)
    #expect(single.mean == [120, 110, 100] && single.std == [60, 50, 40])
    #expect(try single.models[0].logits(x) == fold0.logits(x))

    let folder = try FoldEnsemble.load(dir.file("train/1"))
    #expect(folder.models.count == 1 && folder.mean == [100, 100, 100])

    let all = try FoldEnsemble.load(dir.file("train"))
    #expect(all.models.count == 2 && all.sources.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent } == ["0", "1"])
    // Fold 1 was trained with another mean: fed the ensemble's normalisation, it sees exactly its own.
    var own = x
    for i in own.storage.indices {
        let c = (i / (32 * 32)) % 3
        own.storage[i] = (x.storage[i] * all.std[c] + all.mean[c] - 100) / [60, 50, 40][c]
    }
    #expect(try all.models[1].logits(x).maxAbsDifference(fold1.logits(own)) < 1e-4)
    #expect(try FoldEnsemble.load(dir.file("train"), folds: [1]).models.count == 1)
}

@Test func aCheckpointWithoutModelJSONReadsItsMetadata() throws {
    let dir = try TemporaryDirectory("ensemble")
    defer { dir.remove() }
    try saveFold(dir.file("fold"), seed: 1, mean: [1, 2, 3], modelJSON: false)
    let ensemble = try FoldEnsemble.load(dir.file("fold"))
    #expect(ensemble.size == 32 && ensemble.reduce == 2 && ensemble.mean == [1, 2, 3] && ensemble.std == [60, 50, 40])
}

@Test func missingOrCorruptModelsAreClearErrors() throws {
    let dir = try TemporaryDirectory("ensemble")
    defer { dir.remove() }
    try saveFold(dir.file("train/0"), seed: 1)
    try Data("not a checkpoint at all".utf8).write(to: dir.file("bad.safetensors"))
    try FileManager.default.createDirectory(at: dir.file("empty"), withIntermediateDirectories: true)
    let cases: [(URL, [Int]?, String)] = [
        (dir.file("nowhere"), nil, "does not exist"),
        (dir.file("bad.safetensors"), nil, "bad.safetensors"),
        (dir.file("empty"), nil, "holds no best.safetensors"),
        (dir.file("train"), [3], "fold 3 is not in"),
    ]
    for (url, folds, phrase) in cases {
        let error = try #require(throws: StageError.self) { try FoldEnsemble.load(url, folds: folds) }
        #expect(error.message.contains(phrase), "\(error.message)")
    }
    try Data("{\"size\": 32}".utf8).write(to: dir.file("train/0/model.json"))
    let error = try #require(throws: StageError.self) { try FoldEnsemble.load(dir.file("train")) }
    #expect(error.message.contains("model.json") && error.message.contains("'reduce'"), "\(error.message)")
}
