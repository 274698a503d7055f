import EngineTestSupport
import Foundation
import Imaging
import NeuralNet
import PipeCore
import PipeEngine
import Testing

/// A test set of two synthetic images and a one-fold model directory laid out like a train output.
private func makeInferenceData(_ fixture: EngineFixture) throws {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 2, side: 256, seed: 9, labels: false,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 128)),
                                 into: fixture.dir.file("kaggle"), threads: 2)
    let fold = fixture.dir.file("models/0")
    try FileManager.default.createDirectory(at: fold, withIntermediateDirectories: true)
    let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]), seed: 5)
    try ModelCheckpoint.save(model, to: fold.appendingPathComponent("best.safetensors"))
    try fixture.write("models/0/model.json", #"{"arch": "unet", "encoder": "resnet18", "size": 32, "reduce": 4, "mean": [200, 150, 200], "std": [40, 40, 40]}"#)
}

private let inferPipeline = """
    pipeline: infer
    data: {test: kaggle, models: models}
    stages:
      infer: {kind: tta-infer, models: data.models, images: data.test, overlap: 8, tta: [none, flip_h], batch: 4, skip_empty: false}
    """

@Test func ttaInferFansOutPerTestImageAndAddingOnePredictsOnlyIt() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeInferenceData(fixture)
    try fixture.write("i.yaml", inferPipeline)
    let first = try await fixture.run("i.yaml")
    #expect(first.tasks(.failed).isEmpty, "\(first.tasks.compactMap(\.error))")
    let ran = first.tasks(.ran)
    #expect(ran.count == 2 && ran.allSatisfy { $0.hasPrefix("infer[") }, "\(ran)")
    for task in first.tasks {
        #expect(task.metrics["windows_predicted"]?.intValue == 9 && task.metrics["windows_skipped"]?.intValue == 0)
        let id = String(task.task.dropFirst("infer[".count).dropLast())
        let output = fixture.dir.file("runs/infer/infer/\(id)")
        let reader = try TiffReader(path: output.appendingPathComponent("\(id).tiff").path)
        #expect(reader.width == 256 && reader.height == 256 && reader.info.tiled)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("preview.png").path))
    }
    // A new test image: only it is predicted.
    let test = fixture.dir.file("kaggle/test")
    let existing = try #require(try FileManager.default.contentsOfDirectory(atPath: test.path).sorted().first { $0.hasSuffix(".tiff") })
    try FileManager.default.copyItem(at: test.appendingPathComponent(existing), to: test.appendingPathComponent("extra.tiff"))
    let second = try await fixture.run("i.yaml")
    #expect(second.tasks(.ran) == ["infer[extra]"])
    #expect(second.tasks(.cached) == ran)
    // A TTA change predicts every image again, saying why.
    let third = try await fixture.run("i.yaml", overrides: ["infer.tta=[none]"])
    #expect(third.tasks(.ran).count == 3)
    #expect(third.reason(ran[0])?.contains("infer.tta") == true, "\(third.reason(ran[0]) ?? "")")
}

@Test func ttaInferNamesAModelsInputWithoutCheckpoints() async throws {
    let fixture = try EngineFixture()
    defer { fixture.remove() }
    try makeInferenceData(fixture)
    try FileManager.default.removeItem(at: fixture.dir.file("models/0/best.safetensors"))
    try fixture.write("models/0/notes.txt", "no weights here")
    try fixture.write("i.yaml", inferPipeline)
    let report = try await fixture.run("i.yaml")
    let failure = try #require(report.tasks.first { $0.status == .failed })
    #expect(failure.error?.contains("models 'data.models'") == true && failure.error?.contains("best.safetensors") == true,
            "\(failure.error ?? "")")
}
