import Foundation
import Imaging
import PipeCore
import PipeSpec

/// `kind: submit`: turns a tta-infer stage's probability maps
/// (`<id>/<id>.tiff`) into Kaggle's `submission.csv`: each map thresholded
/// (`byte / 255 > threshold`), optionally rid of 8-connected components under
/// `min_area` pixels, run-length encoded column-major, in
/// `sample_submission.csv` order, checked before it is written. A threshold
/// naming a validate stage reads its `sweep.json` `best`; the stage is an
/// input, so a new best threshold reruns submit.
public struct SubmitStage: StageImplementation {
    public init() {}

    public var version: Int { 1 }

    public var schema: StageKindSchema {
        StageKindSchema(name: "submit", summary: "Threshold and run-length encode probability maps into submission.csv.", fields: [
            FieldSchema("from", .reference, required: true, "The tta-infer stage whose <id>/<id>.tiff maps are submitted."),
            FieldSchema("images", .reference,
                        "The data source holding sample_submission.csv (its order); without one, ids are sorted."),
            FieldSchema("threshold", .anyOf([.number(min: 0, max: 1), .reference]), default: .double(0.5),
                        "A probability, or a validate stage whose sweep.json 'best' is used."),
            FieldSchema("min_area", .integer(min: 0, max: 1 << 40), default: .int(0),
                        "Remove predicted 8-connected components smaller than this many full-resolution pixels."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }

    public func run(_ context: TaskContext) async throws -> TaskOutcome {
        let stage = context.stage
        let predictions = try context.input(field: "from")
        let threshold = try Self.threshold(context)
        let maps = Self.predictionMaps(predictions)
        guard !maps.isEmpty else {
            throw StageError("'\(predictions.name)' holds no <id>/<id>.tiff; 'from' must name a tta-infer stage", at: stage.location(of: "from"))
        }
        let order = try Self.order(context) ?? maps.keys.sorted()
        let minArea = stage.config["min_area"]?.intValue ?? 0
        var rows: [SubmissionRow] = []
        var fractions: [Double] = []
        for (number, id) in order.enumerated() {
            guard let path = maps[id] else {
                throw StageError("no prediction for image '\(id)' in '\(predictions.name)' (expected \(id)/\(id).tiff); predict every image sample_submission.csv lists",
                                 at: stage.location(of: "from"))
            }
            context.progress(Double(number) / Double(order.count), "encoding \(id)")
            let mask = try context.located("from") {
                try ThresholdedRows(path: path.path, threshold: threshold, threads: max(1, context.threads)).encode(minArea: minArea)
            }
            rows.append(SubmissionRow(id: id, rle: mask.encoded, width: mask.width, height: mask.height))
            fractions.append(Double(mask.area) / Double(mask.width * mask.height))
        }
        try Submission.check(rows, order: order)
        try Data(Submission.csv(rows).utf8).write(to: context.outputDirectory.appendingPathComponent("submission.csv"))
        let meanFraction = fractions.isEmpty ? 0 : fractions.reduce(0, +) / Double(fractions.count)
        return TaskOutcome(metrics: .object(["images": .int(rows.count), "threshold": .double(threshold),
                                             "mean_area_fraction": .double((meanFraction * 1e6).rounded() / 1e6)]))
    }

    /// The ids of the `images` source's sample_submission.csv, in its order; nil without one.
    static func order(_ context: TaskContext) throws -> [String]? {
        guard context.stage.config["images"] != nil else { return nil }
        return try context.located("images") { try Submission.sampleOrder(in: try context.input(field: "images").path) }
    }

    /// The threshold: the number, or the `best` of the named validate stage's `sweep.json`.
    static func threshold(_ context: TaskContext) throws -> Double {
        let stage = context.stage, value = stage.config["threshold"] ?? .double(0.5)
        if let number = value.doubleValue { return number }
        let input = try context.input(field: "threshold")
        let url = input.path.appendingPathComponent("sweep.json")
        guard let data = try? Data(contentsOf: url), let sweep = try? JSONValue(parsing: data),
              let best = sweep["best"]?.doubleValue, (0...1).contains(best) else {
            throw StageError("'\(input.name)' has no sweep.json with a 'best' threshold; name a validate stage or give a number",
                             at: stage.location(of: "threshold"))
        }
        return best
    }

    /// Probability maps by image id: `<id>/<id>.tiff` (a tta-infer task each) or `<id>.tiff` at the top.
    static func predictionMaps(_ input: InputArtifact) -> [String: URL] {
        var maps: [String: URL] = [:]
        let files = FileManager.default.enumerator(atPath: input.path.path)?.compactMap { $0 as? String } ?? []
        for path in files where path.hasSuffix(".tiff") || path.hasSuffix(".tif") {
            let parts = path.split(separator: "/").map(String.init)
            let id = (parts.last! as NSString).deletingPathExtension
            if parts.count == 1 || (parts.count == 2 && parts[0] == id) { maps[id] = input.path.appendingPathComponent(path) }
        }
        return maps
    }
}
