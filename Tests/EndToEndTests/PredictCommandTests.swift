import Foundation
import Imaging
import NeuralNet
import TestSupport
import Testing

/// A 200 x 150 synthetic section and a one-fold model directory (a tiny real Unet).
private func makePredictInputs(_ dir: TemporaryDirectory) throws {
    try SyntheticKidney.generate(SyntheticKidneyOptions(images: 1, side: 200, seed: 3, labels: false,
                                                        tiff: TiffWriteOptions(compression: .deflate, tileSize: 64)),
                                 into: dir.file("kaggle"), threads: 2)
    let image = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("kaggle/test").path).first)
    try FileManager.default.moveItem(at: dir.file("kaggle/test/\(image)"), to: dir.file("slide.tiff"))
    let fold = dir.file("train/0")
    try FileManager.default.createDirectory(at: fold, withIntermediateDirectories: true)
    let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 1, decoderChannels: [4]), seed: 1)
    try ModelCheckpoint.save(model, to: fold.appendingPathComponent("best.safetensors"))
    try dir.write("train/0/model.json", #"{"size": 32, "reduce": 2, "mean": [200, 150, 200], "std": [40, 40, 40]}"#)
}

@Test func predictWritesAProbabilityTIFFFromATrainOutput() throws {
    let dir = try TemporaryDirectory("predict")
    defer { dir.remove() }
    try makePredictInputs(dir)
    let result = try PipeBinary.run(["predict", "--model", "train", "--image", "slide.tiff", "-o", "prob.tiff",
                                     "--overlap", "8", "--blend", "gaussian", "--tta", "flip_h,rot180", "--threads", "2",
                                     "--preview", "preview.png"], in: dir.path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("wrote prob.tiff (200 x 200)"), "\(result.stdout)")
    #expect(result.stderr.contains("slide.tiff: 100%"), "\(result.stderr)")
    let reader = try TiffReader(path: dir.file("prob.tiff").path)
    #expect(reader.width == 200 && reader.height == 200 && reader.info.tiled)
    #expect(try PNGFile.size(path: dir.file("preview.png").path) == (200, 200))
}

@Test func predictNamesAMissingOrCorruptModelOrImage() throws {
    let dir = try TemporaryDirectory("predict")
    defer { dir.remove() }
    try makePredictInputs(dir)
    try dir.write("bad.safetensors", "garbage")
    let cases: [([String], String)] = [
        (["--model", "nowhere", "--image", "slide.tiff"], "model 'nowhere' does not exist"),
        (["--model", "bad.safetensors", "--image", "slide.tiff"], "bad.safetensors: "),
        (["--model", "train", "--image", "missing.tiff"], "missing.tiff"),
        (["--model", "train", "--image", "slide.tiff", "--tta", "flip_x"], "unknown tta 'flip_x'"),
    ]
    for (arguments, phrase) in cases {
        let result = try PipeBinary.run(["predict"] + arguments + ["-o", "p.tiff"], in: dir.path)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(phrase), "\(arguments): \(result.stderr)")
    }
}

@Test func predictChecksTheImageSizeAgainstThePixelBudgetBeforeAllocating() throws {
    let dir = try TemporaryDirectory("predict")
    defer { dir.remove() }
    try makePredictInputs(dir)
    let arguments = ["predict", "--model", "train", "--image", "slide.tiff", "-o", "p.tiff"]
    let refused = try PipeBinary.run(arguments, in: dir.path, environment: ["PIPE_MAX_PIXELS": "10000"])
    #expect(refused.status == 2, "\(refused.stderr)")
    #expect(refused.stderr.hasPrefix("error: ") && refused.stderr.contains("slide.tiff")
            && refused.stderr.contains("image size 200 x 200") && refused.stderr.contains("PIPE_MAX_PIXELS"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("p.tiff").path))
    let allowed = try PipeBinary.run(arguments, in: dir.path, environment: ["PIPE_MAX_PIXELS": "40000"])
    #expect(allowed.status == 0, "\(allowed.stderr)")
}
