import Foundation
import NeuralNet
@testable import PipeStages
import TestSupport
import Testing

/// A real smp Unet (resnet18, depth 1, one 4-channel decoder block), saved once per test run:
/// building one (random init of every resnet18 layer) is the slow part in debug builds.
private let tinyCheckpoint: Data = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-tiny-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let model = try! SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]), seed: 1)
    try! ModelCheckpoint.save(model, to: url, metadata: ["size": "32", "reduce": "2", "mean": "120, 110, 100", "pipe.std": "[60, 50, 40]"])
    return try! Data(contentsOf: url)
}()

/// A fold directory: the tiny checkpoint as best.safetensors, and a model.json with `mean` unless nil.
private func saveFold(_ directory: URL, mean: [Float]?) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try tinyCheckpoint.write(to: directory.appendingPathComponent("best.safetensors"))
    if let mean {
        let json = "{\"arch\": \"unet\", \"size\": 32, \"reduce\": 2, \"mean\": \(mean), \"std\": [60, 50, 40]}"
        try Data(json.utf8).write(to: directory.appendingPathComponent("model.json"))
    }
}

private func batch(seed: UInt64) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor(shape: [2, 3, 32, 32], storage: (0..<(2 * 3 * 32 * 32)).map { _ in random.float(-2, 2) })
}

@Test func loadsACheckpointAFoldDirectoryAndATrainOutput() throws {
    let dir = try TemporaryDirectory("ensemble")
    defer { dir.remove() }
    try saveFold(dir.file("train/0"), mean: [120, 110, 100])
    try saveFold(dir.file("train/1"), mean: [100, 100, 100])
    try saveFold(dir.file("lone"), mean: nil)
    let x = batch(seed: 3)

    // A lone checkpoint (a fold directory without model.json) reads its metadata.
    let single = try FoldEnsemble.load(dir.file("lone/best.safetensors"))
    #expect(single.models.count == 1 && single.size == 32 && single.reduce == 2)
    #expect(single.mean == [120, 110, 100] && single.std == [60, 50, 40])
    let reference = try ModelCheckpoint.open(dir.file("lone/best.safetensors"))
    #expect(try single.models[0].logits(x) == reference.logits(x))

    let all = try FoldEnsemble.load(dir.file("train"))
    #expect(all.models.count == 2 && all.sources.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent } == ["0", "1"])
    #expect(all.mean == [120, 110, 100])
    // Fold 1 was trained with another mean: fed the ensemble's normalisation, it sees exactly its own.
    var own = x
    for i in own.storage.indices {
        let c = (i / (32 * 32)) % 3
        own.storage[i] = (x.storage[i] * all.std[c] + all.mean[c] - 100) / [60, 50, 40][c]
    }
    #expect(try all.models[1].logits(x).maxAbsDifference(reference.logits(own)) < 1e-4)
    #expect(try FoldEnsemble.foldCheckpoints(in: dir.file("train"), folds: [1]).map(\.path) == [dir.file("train/1/best.safetensors").path])
}

@Test func missingOrCorruptModelsAreClearErrors() throws {
    let dir = try TemporaryDirectory("ensemble")
    defer { dir.remove() }
    try saveFold(dir.file("train/0"), mean: [120, 110, 100])
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
