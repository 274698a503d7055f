import EngineTestSupport
import Foundation
import Imaging
import NeuralNet
import PipeCore
import PipeEngine
import Testing

/// Three small synthetic images, tiled to 32 px: enough for two folds of a tiny Unet.
private func makeData(_ fixture: EngineFixture) throws {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 3, side: 512, seed: 1,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 256)),
                                 into: fixture.dir.file("kaggle"), threads: 2)
}

private func pipeline(epochs: Int = 3, extra: String = "") -> String {
    """
    pipeline: learn
    data: {train: kaggle}
    stages:
      tile: {kind: tile, from: [data.train], size: 32, reduce: 4, min_pixels: 50}
      train:
        kind: train
        from: tile
        folds: 2
        only_folds: [0]
        model: {arch: unet, encoder: resnet18, encoder_depth: 2, decoder_channels: [8, 4]}
        optimizer: {name: adam, lr: 0.01}
        batch: 4
        epochs: \(epochs)
        seed: 5
    \(extra)
    """
}

private func csvColumn(_ url: URL, _ name: String) throws -> [Double] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    let column = try #require(lines.first?.split(separator: ",").firstIndex(of: Substring(name)))
    return lines.dropFirst().compactMap { Double($0.split(separator: ",")[column]) }
}

@Test func trainingLowersTheLossAndOnlyFoldsAddsJustTheNewFold() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture)
    try fixture.write("t.yaml", pipeline())
    let first = try await fixture.run("t.yaml")
    #expect(first.tasks(.failed).isEmpty, "\(first.tasks.compactMap(\.error))")
    #expect(first.tasks.filter { $0.stage == "train" }.map(\.task) == ["train[0]"])
    let report = try #require(first.tasks.first { $0.task == "train[0]" })
    #expect(report.metrics["val_dice"]?.doubleValue != nil && report.metrics["best_epoch"]?.intValue != nil)
    #expect((report.metrics["images_per_second"]?.doubleValue ?? 0) > 0)

    let output = fixture.dir.file("runs/learn/train/0")
    let losses = try csvColumn(output.appendingPathComponent("metrics.csv"), "train_loss")
    #expect(losses.count == 3)
    #expect(losses.last! < losses.first!, "train loss \(losses)")
    let files = try FileManager.default.contentsOfDirectory(atPath: output.path)
    for name in ["best.safetensors", "last.safetensors", "model.json", "metrics.csv", "summary.json"] {
        #expect(files.contains(name), "\(name) missing from \(files)")
    }
    #expect(files.contains { $0.hasPrefix("events.out.tfevents.") })
    let model = try JSONValue(parsing: Data(contentsOf: output.appendingPathComponent("model.json")))
    #expect(model["validation_images"]?.arrayValue?.isEmpty == false)
    #expect(model["mean"]?.arrayValue?.count == 3 && model["size"]?.intValue == 32)
    // One file is enough to rebuild the model, and it says what it was trained on.
    let last = try Safetensors.read(contentsOf: output.appendingPathComponent("last.safetensors"))
    #expect(last.metadata["fold"] == "0" && last.metadata["arch"] == "unet" && last.metadata["pipe.encoder"] == "resnet18")
    _ = try ModelCheckpoint.open(output.appendingPathComponent("best.safetensors"))
    // The state kept for resuming is gone once the output is committed.
    let state = (try? FileManager.default.contentsOfDirectory(atPath: fixture.dir.file(".pipe/state").path)) ?? []
    #expect(state.isEmpty, "leftover state \(state)")

    // only_folds is not part of a fold's key: adding fold 1 trains just fold 1.
    let second = try await fixture.run("t.yaml", overrides: ["train.only_folds=[0, 1]"])
    #expect(second.tasks.filter { $0.stage == "train" && $0.status == .ran }.map(\.task) == ["train[1]"])
    #expect(second.tasks.first { $0.task == "train[0]" }?.status == .cached)
}

@Test func aHugeLearningRateStopsTheFoldWithANamedError() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture)
    try fixture.write("t.yaml", pipeline(epochs: 2).replacingOccurrences(of: "{name: adam, lr: 0.01}", with: "{name: sgd, lr: 1e30}"))
    let report = try await fixture.run("t.yaml")
    let failure = try #require(report.tasks.first { $0.task == "train[0]" && $0.status == .failed })
    let message = failure.error ?? ""
    #expect(message.contains("fold 0") && message.contains("epoch 1/2") && message.contains("step"), "\(message)")
    #expect(message.contains("lower 'optimizer.lr'"), "\(message)")
    #expect(message.contains("t.yaml:11:"), "the error points at the spec's optimizer: \(message)")
    #expect(message.contains("became NaN") || message.contains("became infinite"), "\(message)")
}

@Test func initWeightsLoadPartiallyAndAreAPathDependency() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeData(fixture)
    func writeEncoder(seed: UInt64) throws {
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 2,
                                                                  decoderChannels: [8, 4]), seed: seed)
        let encoder = model.stateDict().filter { $0.name.hasPrefix("encoder.") }
        try Safetensors.write(encoder.map { SafetensorsEntry($0.name, $0.tensor, dtype: $0.name.hasSuffix("num_batches_tracked") ? .i64 : .f32) },
                              to: fixture.dir.file("encoder.safetensors"))
    }
    try writeEncoder(seed: 9)
    try fixture.write("t.yaml", pipeline(epochs: 1).replacingOccurrences(of: "    batch: 4", with: "    batch: 4\n    init: encoder.safetensors"))
    let first = try await fixture.run("t.yaml")
    #expect(first.tasks(.failed).isEmpty, "\(first.tasks.compactMap(\.error))")
    let summary = try JSONValue(parsing: Data(contentsOf: fixture.dir.file("runs/learn/train/0/summary.json")))
    let loaded = summary["init"]?.stringValue ?? ""
    #expect(loaded.hasPrefix("loaded ") && loaded.contains("from 'encoder.safetensors'"), "\(loaded)")
    #expect(try await fixture.run("t.yaml").tasks(.ran).isEmpty)
    // New weights in the same file: the fold trains again.
    try writeEncoder(seed: 10)
    let changed = try await fixture.run("t.yaml")
    #expect(changed.tasks(.ran) == ["train[0]"])
    #expect(changed.reason("train[0]")?.contains("init") == true, "\(changed.reason("train[0]") ?? "")")
}
