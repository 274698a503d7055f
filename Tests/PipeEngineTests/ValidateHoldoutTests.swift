import EngineTestSupport
import Foundation
import Imaging
import PipeCore
import PipeEngine
import PipeStages
import Testing

/// The learning pipeline with a holdout source: two more labelled images no fold sees.
private let holdoutPipeline = """
    pipeline: learn
    data: {train: kaggle, held: heldout}
    stages:
      tile: {kind: tile, from: [data.train], size: 32, reduce: 2, min_pixels: 10}
      train: {kind: train, from: tile, folds: 2, epochs: 1, batch: 8, threads: 1,
              model: {arch: unet, encoder: resnet18, encoder_depth: 1, decoder_channels: [4]}}
      validate: {kind: validate, from: train, tiles: tile, images: data.train, holdout: data.held,
                 thresholds: [0.3, 0.5, 0.7], overlap: 8, worst: 0}
    """

private func synthetic(_ fixture: EngineFixture, _ name: String, seed: UInt64) throws {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 2, side: 192, seed: seed,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 128)),
                                 into: fixture.dir.file(name), threads: 2)
}

@Test func validateScoresTheFoldEnsembleOnTheHoldoutAtTheCVThreshold() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try synthetic(fixture, "kaggle", seed: 4)
    try synthetic(fixture, "heldout", seed: 9)
    try fixture.write("l.yaml", holdoutPipeline)
    let report = try await fixture.run("l.yaml")
    #expect(report.tasks.allSatisfy { $0.status == .ran }, "\(report.tasks.map { "\($0.task): \($0.error ?? "")" })")
    let validate = try #require(report.tasks.first { $0.task == "validate" })
    let threshold = try #require(validate.metrics["threshold"]?.doubleValue)
    let reported = try #require(validate.metrics["holdout_dice_image"]?.doubleValue)
    #expect(validate.metrics["holdout_images"]?.intValue == 2)

    // Independently: both folds averaged over every holdout image, whole, at the CV threshold.
    let ensemble = try FoldEnsemble.load(fixture.dir.file("runs/learn/train"))
    #expect(ensemble.sources.count == 2)
    let ids = try FileManager.default.contentsOfDirectory(atPath: fixture.dir.file("heldout/train").path)
        .filter { $0.hasSuffix(".tiff") }.map { String($0.dropLast(5)) }.sorted()
    let csv = try String(contentsOf: fixture.dir.file("heldout/train.csv"), encoding: .utf8)
    var total = 0.0
    for id in ids {
        var map: [UInt8] = []
        let size = try SlidingWindowPredictor(ensemble: ensemble, options: InferenceOptions(overlap: 8))
            .predict(image: fixture.dir.file("heldout/train/\(id).tiff").path, progress: nil) { _, _, band in map.append(contentsOf: band) }
        let row = csv.split(separator: "\n").first { $0.hasPrefix("\(id),") }.map { String($0.dropFirst(id.count + 1)) } ?? ""
        let truth = try RLEMask(rle: row, width: size.width, height: size.height)
            .window(x: 0, y: 0, width: size.width, height: size.height)
        var histogram = DiceHistogram()
        histogram.add(probabilities: map, truth: truth)
        total += histogram.dice(threshold: threshold)
    }
    #expect(abs(reported - total / Double(ids.count)) < 1e-6, "\(reported) vs \(total / Double(ids.count))")

    let scores = try JSONValue(parsing: Data(contentsOf: fixture.dir.file("runs/learn/validate/scores.json")))
    #expect(scores["holdout"]?["images"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids)
    #expect(scores["holdout"]?["threshold"]?.doubleValue == threshold)
    let sweep = try JSONValue(parsing: Data(contentsOf: fixture.dir.file("runs/learn/validate/sweep.json")))
    #expect(sweep["dice_holdout"]?.arrayValue?.count == 3)
}

@Test func aHoldoutThatAFoldSawIsRefused() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try synthetic(fixture, "kaggle", seed: 4)
    try fixture.write("l.yaml", holdoutPipeline.replacingOccurrences(of: "held: heldout", with: "held: kaggle"))
    let report = try await fixture.run("l.yaml")
    let validate = try #require(report.tasks.first { $0.task == "validate" })
    #expect(validate.status == .failed)
    #expect(validate.error?.contains("was seen by fold") == true, "\(validate.error ?? "")")
}
