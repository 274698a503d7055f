import ArgumentParser
import Foundation
import NeuralNet
import PipeStages

/// `pipe predict`: the tta-infer stage's predictor on one image, outside a pipeline.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict one TIFF with trained models (sliding window, TTA, fold average) into a probability TIFF.",
        discussion: """
            MODEL is a .safetensors checkpoint written by pipe, a fold directory (best.safetensors + \
            model.json), or a train stage's output holding <fold>/ directories (e.g. runs/<pipeline>/train), \
            whose folds are averaged. The output is a tiled uint8 TIFF of probabilities x 255 at full resolution.
            """)

    @Option(help: "Checkpoint, fold directory or train output.") var model: String
    @Option(help: "The TIFF to predict.") var image: String
    @Option(name: .shortAndLong, help: "Where to write the probability TIFF (.tif or .tiff).") var output: String
    @Option(help: "Window side in model pixels (default: the models' tile size).") var window: Int?
    @Option(help: "Overlap between windows, model pixels.") var overlap = 0
    @Option(help: "core, linear or gaussian.") var blend = "core"
    @Option(help: "Comma-separated: none, flip_h, flip_v, transpose, rot90, rot180, rot270.") var tta = "none"
    @Option(help: "probability or logit.") var average = "probability"
    @Option(help: "Windows per model call.") var batch = 8
    @Option(help: "Only these folds of a train output, comma-separated.") var folds: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Also write a low-resolution preview PNG here.") var preview: String?
    @Flag(help: "Run the models on windows without tissue too (default: they predict 0).") var keepEmpty = false

    /// Argument problems, thrown from `run` so they exit 2 through the one error renderer.

    func checkArguments() throws {
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["tif", "tiff"].contains(ext) else { throw Failure.usage("output '\(output)' must end in .tif or .tiff") }
        guard WindowBlend(rawValue: blend) != nil else {
            throw Failure.usage("unknown blend '\(blend)'; use core, linear or gaussian")
        }
        guard PredictionAverage(rawValue: average) != nil else {
            throw Failure.usage("unknown average '\(average)'; use probability or logit")
        }
        if let threads, !(1...1024).contains(threads) { throw Failure.usage("threads '\(threads)' must be 1 to 1024") }
        guard (1...4096).contains(batch) else { throw Failure.usage("batch '\(batch)' must be 1 to 4096") }
        if let window, !(1...16384).contains(window) { throw Failure.usage("window '\(window)' must be 1 to 16384 model pixels") }
        guard overlap >= 0, overlap <= 16384 else { throw Failure.usage("overlap '\(overlap)' must be 0 to 16384 model pixels") }
    }

    /// Refuses a window and batch whose buffers (the full-resolution RGB window, the float32 batch)
    /// would exceed the byte budget, before any is allocated.
    static func checkBudget(window: Int, reduce: Int, batch: Int) throws {
        let side = window * reduce   // at most 16384 x 256
        let (pixels, overflow) = side.multipliedReportingOverflow(by: side)
        let (floats, overflow2) = (window * window * 3).multipliedReportingOverflow(by: batch * 4)
        guard !overflow, !overflow2, pixels * 3 <= TensorLimits.maxBytes, floats <= TensorLimits.maxBytes else {
            throw Failure.usage("window \(window) at reduce \(reduce) with batch \(batch) needs more than the budget of \(TensorLimits.maxBytes) bytes (PIPE_MAX_BYTES); use a smaller --window or --batch")
        }
    }

    func run() throws {

        try checkArguments()
        do {
            let foldList = try folds.map { text in
                try text.split(separator: ",").map { part in
                    guard let fold = Int(part.trimmingCharacters(in: .whitespaces)) else {
                        throw StageError("folds '\(text)' are not comma-separated integers; write e.g. 0,2")
                    }
                    return fold
                }
            }
            let ensemble = try FoldEnsemble.load(URL(fileURLWithPath: model), folds: foldList)
            try Self.checkBudget(window: window ?? ensemble.size, reduce: ensemble.reduce, batch: batch)
            let options = InferenceOptions(window: window, overlap: overlap, blend: WindowBlend(rawValue: blend)!,
                                           tta: try TTATransform.list(tta), average: PredictionAverage(rawValue: average)!,
                                           batch: batch, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                           skipEmpty: !keepEmpty)
            let progress = ProgressPrinter(), job = (image as NSString).lastPathComponent
            let start = Date()
            let report = try InferenceOutput.write(image: image, predictor: SlidingWindowPredictor(ensemble: ensemble, options: options),
                                                   tiff: output, preview: preview, progress: progress.handler(for: job))
            progress.finish(job)
            print(String(format: "wrote %@ (%d x %d): %d windows predicted, %d skipped, %d model(s), mean probability %.4f, %.1f s",
                         output, report.width, report.height, report.windowsPredicted, report.windowsSkipped,
                         ensemble.models.count, report.meanProbability, Date().timeIntervalSince(start)))
        } catch let error as StageError {
            throw Failure.usage(error.message)
        }
    }
}
