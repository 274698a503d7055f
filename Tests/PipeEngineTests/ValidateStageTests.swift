import Foundation
import Imaging
import NeuralNet
import PipeCore
import PipeEngine
import PipeStages
import Testing

/// Two small synthetic images and a "train output" built by hand: fold k
/// holds out image k; each fold a tiny seeded
/// Unet saved with ModelCheckpoint plus model.json (docs/ml-stages.md).
func makeValidationData(_ fixture: EngineFixture) throws -> [String] {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 2, side: 192, seed: 4,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 128)),
                                 into: fixture.dir.file("kaggle"), threads: 2)
    let ids = try FileManager.default.contentsOfDirectory(atPath: fixture.dir.file("kaggle/train").path)
        .filter { $0.hasSuffix(".tiff") }.map { String($0.dropLast(5)) }.sorted()
    for (fold, held) in [[ids[0]], [ids[1]]].enumerated() {
        let directory = fixture.dir.file("models/\(fold)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]),
                                          seed: UInt64(fold + 1))
        try ModelCheckpoint.save(model, to: directory.appendingPathComponent("best.safetensors"))
        let json: JSONValue = .object([
            "arch": .string("unet"), "encoder": .string("resnet18"), "size": .int(32), "reduce": .int(2),
            "fold": .int(fold), "folds": .int(2),
            "mean": .array([180, 160, 190].map(JSONValue.double)), "std": .array([40, 50, 40].map(JSONValue.double)),
            "validation_images": .array(held.map(JSONValue.string)),
            "train_images": .array(ids.filter { !held.contains($0) }.map(JSONValue.string)),
        ])
        try Data(json.prettyString.utf8).write(to: directory.appendingPathComponent("model.json"))
    }
    return ids
}

let validatePipeline = """
    pipeline: v
    data: {train: kaggle, models: models}
    stages:
      tile: {kind: tile, from: [data.train], size: 32, reduce: 2, min_pixels: 10}
      validate: {kind: validate, from: data.models, tiles: tile, images: data.train, thresholds: [0.3, 0.5, 0.7],
                 overlap: 8, worst: 2, overlay: 64}
    """

@Test func validateScoresEveryFoldAndWritesTheReportFiles() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    let ids = try makeValidationData(fixture)
    try fixture.write("v.yaml", validatePipeline)
    let report = try await fixture.run("v.yaml")
    let validate = try #require(report.tasks.first { $0.task == "validate" })
    #expect(validate.status == .ran, "\(validate.error ?? "")")
    for key in ["cv_dice_tile", "cv_dice_image", "cv_dice_image_std", "threshold"] {
        #expect(validate.metrics[key]?.doubleValue != nil, "\(key) in \(validate.metrics)")
    }
    let out = fixture.dir.file("runs/v/validate")
    let sweep = try JSONValue(parsing: Data(contentsOf: out.appendingPathComponent("sweep.json")))
    #expect(sweep["thresholds"]?.arrayValue?.compactMap(\.doubleValue) == [0.3, 0.5, 0.7])
    #expect(sweep["dice"]?.arrayValue?.count == 3)
    #expect([0.3, 0.5, 0.7].contains(sweep["best"]?.doubleValue ?? -1))
    #expect(sweep["best"]?.doubleValue == validate.metrics["threshold"]?.doubleValue)
    let scores = try JSONValue(parsing: Data(contentsOf: out.appendingPathComponent("scores.json")))
    let images = scores["images"]?.arrayValue ?? []
    #expect(images.compactMap { $0["id"]?.stringValue }.sorted() == ids)
    #expect(images.first { $0["id"]?.stringValue == ids[0] }?["fold"]?.intValue == 0)
    #expect(scores["folds"]?.arrayValue?.count == 2)
    let overlays = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("overlays").path).sorted()
    #expect(overlays.filter { $0.hasPrefix("image-") }.count == 2 && overlays.first?.hasPrefix("image-01-") == true, "\(overlays)")
    #expect(overlays.filter { $0.hasPrefix("tile-01-") }.count == 1, "\(overlays)")

    try expectImageDiceMatchesWholeArray(fixture, ids: ids, scores: scores)

    // Unchanged inputs: cached; a new threshold list would rerun validate only.
    let second = try await fixture.run("v.yaml")
    #expect(second.tasks(.ran).isEmpty)
    let plan = try await fixture.run("v.yaml", overrides: ["validate.thresholds=[0.4, 0.5]"], plan: true)
    #expect(plan.tasks(.willRun) == ["validate"])
}

/// Fold 0's image, predicted whole and compared in one array, gives validate's image Dice.
func expectImageDiceMatchesWholeArray(_ fixture: EngineFixture, ids: [String], scores: JSONValue) throws {
    let threshold = try #require(scores["threshold"]?.doubleValue)
    let ensemble = try FoldEnsemble.load(fixture.dir.file("models/0"))
    let path = fixture.dir.file("kaggle/train/\(ids[0]).tiff").path
    var map: [UInt8] = []
    let size = try SlidingWindowPredictor(ensemble: ensemble, options: InferenceOptions(overlap: 8)).predict(image: path, progress: nil) {
        _, _, band in map.append(contentsOf: band)
    }
    let csv = try String(contentsOf: fixture.dir.file("kaggle/train.csv"), encoding: .utf8)
    let row = csv.split(separator: "\n").first { $0.hasPrefix("\(ids[0]),") }.map { String($0.dropFirst(ids[0].count + 1)) } ?? ""
    let truth = try RLEMask(rle: row, width: size.width, height: size.height).window(x: 0, y: 0, width: size.width, height: size.height)
    var intersection = 0, predicted = 0, area = 0
    for i in map.indices {
        let p = Double(map[i]) / 255 > threshold, t = truth[i] != 0
        intersection += p && t ? 1 : 0; predicted += p ? 1 : 0; area += t ? 1 : 0
    }
    let expected = predicted + area == 0 ? 1 : 2 * Double(intersection) / Double(predicted + area)
    let reported = scores["images"]?.arrayValue?.first { $0["id"]?.stringValue == ids[0] }?["dice_image"]?.doubleValue
    #expect(abs((reported ?? -1) - expected) < 1e-6, "\(reported ?? -1) vs \(expected)")
}
