import ArgumentParser
import Foundation
import NeuralNet

/// `pipe model`: tools for the segmentation models themselves.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Run segmentation models directly, for cross-checks with PyTorch.",
        subcommands: [ModelRunCommand.self])
}

/// `pipe model run`: one smp-compatible model, in eval mode, on a `.npy` batch.
struct ModelRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model in eval mode on a float32 NCHW .npy batch and write the logits as .npy.",
        discussion: """
            No tiling and no normalisation: the array goes into the model as it is, so the \
            output can be compared with segmentation_models_pytorch on the same weights.
            """)

    @Option(help: "Architecture: unet or linknet.") var arch: String
    @Option(help: "Encoder, smp's name: resnet18, resnet34, efficientnet-b0 ... efficientnet-b7.") var encoder: String
    @Option(help: "A safetensors state dict with smp's names.") var weights: String
    @Option(help: "Input batch, float32 [n, 3, h, w], numpy .npy.") var input: String
    @Option(name: .shortAndLong, help: "Where to write the logits (.npy).") var output: String
    @Option(help: "Encoder depth, 1 to 5 (2 to 5 for efficientnet).") var encoderDepth: Int = 5
    @Option(help: "Unet decoder channels, comma-separated (default 256,128,64,32,16 cut to the depth).")
    var decoderChannels: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        do {
            let config = try modelConfig()
            let model = try SegmentationModel(config)
            try ModelCheckpoint.load(into: model, from: URL(fileURLWithPath: weights))
            model.training = false
            let images = try Npy.read(contentsOf: URL(fileURLWithPath: input))
            let compute = Compute(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let logits: Variable
            do {
                logits = try Compute.$current.withValue(compute) { try model.forward(images) }
            } catch let e as NeuralNetError {
                throw Failure.usage("\(input): \(e.message)")
            }
            try Npy.write(logits.value, to: URL(fileURLWithPath: output))
        } catch let e as CheckpointError {
            throw Failure.usage("\(e.path): \(e.message)")
        } catch let e as NeuralNetError {
            throw Failure.usage(e.message)
        }
    }

    /// The configuration the options describe, or a usage error.
    func modelConfig() throws -> SegmentationModelConfig {
        guard let a = SegmentationArch(rawValue: arch) else {
            throw Failure.usage("unknown architecture '\(arch)'; use one of \(SegmentationArch.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let e = EncoderName(encoder) else {
            throw Failure.usage("unknown encoder '\(encoder)'; use one of \(EncoderName.all.map(\.description).joined(separator: ", "))")
        }
        var channels: [Int]? = nil
        if let decoderChannels {
            let parts = decoderChannels.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw Failure.usage("decoder channels '\(decoderChannels)' are not comma-separated integers; write e.g. 256,128,64,32,16")
            }
            channels = parts.map { $0! }
        }
        if let threads, !(1...1024).contains(threads) { throw Failure.usage("threads '\(threads)' must be 1 to 1024") }
        return SegmentationModelConfig(arch: a, encoder: e, encoderDepth: encoderDepth, decoderChannels: channels)
    }
}
