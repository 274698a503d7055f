import Foundation
import NeuralNet
import PipeCore
import TestSupport
import Testing

/// A tiny synthetic pipeline whose single fold trains for four short epochs.
private let trainPipeline = """
    pipeline: resume
    data:
      train: {synthetic: {images: 3, side: 512, seed: 1}}
    stages:
      tile: {kind: tile, from: [data.train], size: 32, reduce: 4, min_pixels: 50}
      augment: {kind: augment, from: tile, seed: 3, flip: 0.5, rotate90: 0.5, preview: 0}
      train:
        kind: train
        from: augment
        folds: 2
        only_folds: [0]
        model: {arch: unet, encoder: resnet18, encoder_depth: 2, decoder_channels: [8, 4]}
        optimizer: {name: adam, lr: 0.01, lookahead: {k: 3, alpha: 0.5}}
        schedule: {name: cosine, warmup_epochs: 1}
        batch: 4
        epochs: 4
        seed: 5
        balance: 0.5
    """

/// The names of completed-epoch folders in the run's state directories.
private func savedEpochs(_ dir: TemporaryDirectory) -> [String] {
    let root = dir.file(".pipe/state").path
    let keys = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return keys.flatMap { key in
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(key)")) ?? []).filter { !$0.hasSuffix(".partial") }
    }
}

@Test func killedTrainingResumesAndEndsWithBitIdenticalWeights() throws {
    let reference = try TemporaryDirectory()
    defer { reference.remove() }
    try reference.write("p.yaml", trainPipeline)
    let uninterrupted = try PipeBinary.run(["run", "p.yaml"], in: reference.path)
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
    let expected = try Data(contentsOf: reference.file("runs/resume/train/0/last.safetensors"))

    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", trainPipeline)
    let process = try PipeBinary.start(["run", "p.yaml"], in: dir.path)
    var saved: [String] = []
    for _ in 0..<6000 where saved.isEmpty && process.isRunning {
        Thread.sleep(forTimeInterval: 0.05)
        saved = savedEpochs(dir)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try #require(!saved.isEmpty, "the run ended before saving an epoch")
    #expect(!saved.contains("epoch-4"), "killed too late to test resuming: \(saved)")

    let rerun = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    #expect(rerun.status == 0, "\(rerun.stderr)")
    let output = dir.file("runs/resume/train/0")
    #expect(try Data(contentsOf: output.appendingPathComponent("last.safetensors")) == expected,
            "weights after kill -9 and resume differ from an uninterrupted run")
    // It resumed rather than starting over: the fold's run record logs after which epoch.
    let records = FileManager.default.enumerator(atPath: dir.file(".pipe").path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
    #expect(records.contains { (try? String(contentsOf: dir.file(".pipe/\($0)"), encoding: .utf8))?.contains("resumed fold 0 after epoch ") == true },
            "no run record says the fold resumed")
    // No output file holds a clock reading: every file equals the uninterrupted run's, byte for byte.
    let reference0 = reference.file("runs/resume/train/0")
    let names = try FileManager.default.contentsOfDirectory(atPath: reference0.path).sorted()
    #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == names)
    for name in names {
        #expect(try Data(contentsOf: output.appendingPathComponent(name)) == Data(contentsOf: reference0.appendingPathComponent(name)),
                "\(name) differs from the uninterrupted run's")
    }
    let rows = try String(contentsOf: output.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
    #expect(rows.map { $0.split(separator: ",")[0] } == ["epoch", "1", "2", "3", "4"])
    #expect(savedEpochs(dir).isEmpty, "state left behind after the fold committed")
}

/// `precise_bn` (default 256 tiles): the saved weights carry batch-norm
/// statistics recomputed over the training tiles after the last epoch, so the
/// counter of every batch norm holds the recompute's batches, not the
/// training steps; `precise_bn: 0` keeps the running averages, and changing it
/// retrains the fold.
@Test func preciseBatchNormStatisticsAreWhatTheSavedWeightsCarry() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write("p.yaml", trainPipeline.replacingOccurrences(of: "epochs: 4", with: "epochs: 2"))
    func trackedBatches() throws -> Float {
        let weights = try Safetensors.read(contentsOf: dir.file("runs/resume/train/0/last.safetensors"))
        return try #require(weights.tensors["encoder.bn1.num_batches_tracked"]).storage[0]
    }
    func trainingTiles() throws -> Int {
        let summary = try JSONValue(parsing: Data(contentsOf: dir.file("runs/resume/train/0/summary.json")))
        return try #require(summary["train_tiles"]?.intValue)
    }
    let first = try PipeBinary.run(["run", "p.yaml"], in: dir.path)
    try #require(first.status == 0, "\(first.stderr)")
    let tiles = try trainingTiles()
    #expect(try trackedBatches() == Float((min(256, tiles) + 3) / 4), "batch 4, \(tiles) training tiles")

    let off = try PipeBinary.run(["run", "p.yaml", "--set", "train.precise_bn=0"], in: dir.path)
    try #require(off.status == 0, "\(off.stderr)")
    #expect(off.stdout.contains("train[0]") && off.stdout.contains("ran"), "\(off.stdout)")
    #expect(try trackedBatches() == Float(2 * max(1, tiles / 4)), "2 epochs of \(tiles) tiles in full batches of 4")
}
