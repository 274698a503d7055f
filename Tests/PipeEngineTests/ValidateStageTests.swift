import EngineTestSupport
import Foundation
import Imaging
import PipeCore
import PipeEngine
import PipeStages
import Testing

/// tile -> train -> validate -> tta-infer -> submit on two tiny synthetic
/// images (each fold holds one out), submit's threshold taken from validate.
let learningPipeline = """
    pipeline: learn
    data: {train: kaggle}
    stages:
      tile: {kind: tile, from: [data.train], size: 32, reduce: 2, min_pixels: 10}
      train: {kind: train, from: tile, folds: 2, epochs: 1, batch: 8, threads: 1,
              model: {arch: unet, encoder: resnet18, encoder_depth: 1, decoder_channels: [4]}}
      validate: {kind: validate, from: train, tiles: tile, images: data.train, thresholds: [0.3, 0.5, 0.7],
                 overlap: 8, worst: 2, overlay: 64}
      infer: {kind: tta-infer, models: train, images: data.train, overlap: 8, tta: [none, flip_h]}
      submit: {kind: submit, from: infer, images: data.train, threshold: validate, min_area: 4}
    """

@Test func validateAndSubmitRunAfterRealTrainAndInferStages() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 2, side: 192, seed: 4,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 128)),
                                 into: fixture.dir.file("kaggle"), threads: 2)
    let ids = try FileManager.default.contentsOfDirectory(atPath: fixture.dir.file("kaggle/train").path)
        .filter { $0.hasSuffix(".tiff") }.map { String($0.dropLast(5)) }.sorted()
    try fixture.write("kaggle/sample_submission.csv", "id,predicted\n" + ids.reversed().map { "\($0),\n" }.joined())
    try fixture.write("l.yaml", learningPipeline)
    let report = try await fixture.run("l.yaml")
    let failed = report.tasks.filter { $0.status != .ran }
    #expect(failed.isEmpty, "\(failed.map { "\($0.task): \($0.error ?? $0.status.rawValue)" })")

    let validate = try #require(report.tasks.first { $0.task == "validate" })
    for key in ["cv_dice_tile", "cv_dice_image", "cv_dice_image_std", "threshold"] {
        #expect(validate.metrics[key]?.doubleValue != nil, "\(key) in \(validate.metrics)")
    }
    let out = fixture.dir.file("runs/learn/validate")
    let sweep = try JSONValue(parsing: Data(contentsOf: out.appendingPathComponent("sweep.json")))
    #expect(sweep["thresholds"]?.arrayValue?.compactMap(\.doubleValue) == [0.3, 0.5, 0.7])
    #expect(sweep["dice"]?.arrayValue?.count == 3)
    #expect(sweep["best"]?.doubleValue == validate.metrics["threshold"]?.doubleValue)
    let scores = try JSONValue(parsing: Data(contentsOf: out.appendingPathComponent("scores.json")))
    #expect((scores["images"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.sorted() == ids)
    #expect(scores["folds"]?.arrayValue?.count == 2)
    let overlays = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("overlays").path).sorted()
    #expect(overlays.filter { $0.hasPrefix("image-") }.count == 2 && overlays.first?.hasPrefix("image-01-") == true, "\(overlays)")
    #expect(overlays.contains { $0.hasPrefix("tile-01-") }, "\(overlays)")
    try expectImageDiceMatchesWholeArray(fixture, scores: scores)

    let submit = try #require(report.tasks.first { $0.task == "submit" })
    #expect(submit.metrics["threshold"]?.doubleValue == validate.metrics["threshold"]?.doubleValue)
    #expect(submit.metrics["images"]?.intValue == 2)
    let csv = try String(contentsOf: fixture.dir.file("runs/learn/submit/submission.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) } == ids.reversed())

    // Unchanged: all cached. submit reads validate, so a new sweep replans both.
    #expect(try await fixture.run("l.yaml").tasks(.ran).isEmpty)
    let plan = try await fixture.run("l.yaml", overrides: ["validate.thresholds=[0.4, 0.6]"], plan: true)
    #expect(plan.tasks(.willRun) == ["submit", "validate"], "\(plan.tasks.map { "\($0.task) \($0.status)" })")
}

/// Fold 0's held-out image, predicted whole by fold 0 alone and compared in
/// one array, gives validate's image Dice.
func expectImageDiceMatchesWholeArray(_ fixture: EngineFixture, scores: JSONValue) throws {
    let threshold = try #require(scores["threshold"]?.doubleValue)
    let image = try #require(scores["images"]?.arrayValue?.first { $0["fold"]?.intValue == 0 })
    let id = try #require(image["id"]?.stringValue)
    let ensemble = try FoldEnsemble.load(fixture.dir.file("runs/learn/train/0"))
    var map: [UInt8] = []
    let size = try SlidingWindowPredictor(ensemble: ensemble, options: InferenceOptions(overlap: 8))
        .predict(image: fixture.dir.file("kaggle/train/\(id).tiff").path, progress: nil) { _, _, band in map.append(contentsOf: band) }
    let csv = try String(contentsOf: fixture.dir.file("kaggle/train.csv"), encoding: .utf8)
    let row = csv.split(separator: "\n").first { $0.hasPrefix("\(id),") }.map { String($0.dropFirst(id.count + 1)) } ?? ""
    let truth = try RLEMask(rle: row, width: size.width, height: size.height).window(x: 0, y: 0, width: size.width, height: size.height)
    var intersection = 0, predicted = 0, area = 0
    for i in map.indices {
        let p = Double(map[i]) / 255 > threshold, t = truth[i] != 0
        intersection += p && t ? 1 : 0; predicted += p ? 1 : 0; area += t ? 1 : 0
    }
    let expected = predicted + area == 0 ? 1 : 2 * Double(intersection) / Double(predicted + area)
    let reported = image["dice_image"]?.doubleValue ?? -1
    #expect(abs(reported - expected) < 1e-6, "\(reported) vs \(expected)")
}
