import ArgumentParser
import Foundation
import NeuralNet

/// `pipe-bench infer`: wall time and peak RSS of `pipe predict` on the large
/// synthetic JPEG TIFF the tile bench uses (30,000 x 30,000 by default) with
/// a small real Unet, to check that memory stays bounded by the windows in
/// flight (target: under 2 GB) rather than growing with the image.
struct InferBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer", abstract: "pipe predict on a large TIFF: wall time and peak RSS.")

    @Option(help: "Side of the square test image (created once, reused).") var side = 30_000
    @Option(help: "Test image path.") var file = "/tmp/pipe-bench-30k-jpeg.tiff"
    @Option(help: "Window side, model pixels.") var window = 256
    @Option(help: "Downscale factor the model was trained at.") var reduce = 4
    @Option(help: "Overlap, model pixels.") var overlap = 32
    @Option(help: "Blend: core, linear or gaussian.") var blend = "core"
    @Option(help: "Comma-separated TTA transforms.") var tta = "none"
    @Option(help: "Threads.") var threads = 2

    func run() throws {
        if !FileManager.default.fileExists(atPath: file) {
            try BenchImage.make(file: file, side: side, threads: ProcessInfo.processInfo.activeProcessorCount)
        }
        let root = file + ".infer-bench"
        try makeModel(in: "\(root)/train/0")
        let pipe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("pipe").path
        let command = "\(pipe) predict --model train --image \(file) -o prob.tiff --overlap \(overlap) --blend \(blend) "
            + "--tta \(tta) --threads \(threads) --window \(window) --preview preview.png"
        let result = try ChildMeasurement.of(command + " > predict.txt", in: root, keepingOutput: true)
        let summary = (try? String(contentsOfFile: "\(root)/predict.txt", encoding: .utf8)) ?? ""
        print(summary.trimmingCharacters(in: .whitespacesAndNewlines))
        print(String(format: "pipe predict: %.1f s, peak RSS %.0f MB (the decoded image would be %.0f MB, its probability map %.0f MB)",
                     result.seconds, result.peakRSS / 1e6, Double(side) * Double(side) * 3 / 1e6, Double(side) * Double(side) / 1e6))
    }

    /// A small real model (Unet, resnet18 encoder at depth 2, decoder 16/8) as a fold directory.
    func makeModel(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = SegmentationModelConfig(arch: .unet, encoder: .resnet18, encoderDepth: 2, decoderChannels: [16, 8])
        try ModelCheckpoint.save(try SegmentationModel(config, seed: 1), to: URL(fileURLWithPath: "\(directory)/best.safetensors"))
        try """
            {"arch": "unet", "encoder": "resnet18", "encoder_depth": 2, "decoder_channels": [16, 8], "size": \(window),
             "reduce": \(reduce), "mean": [200, 150, 200], "std": [40, 40, 40]}
            """.write(toFile: "\(directory)/model.json", atomically: true, encoding: .utf8)
    }
}
