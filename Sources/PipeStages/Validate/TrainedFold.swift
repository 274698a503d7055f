import Foundation
import PipeCore

/// One fold of a train stage's output: `<k>/best.safetensors` and
/// `<k>/model.json`, whose `validation_images` are the images it never saw.
struct TrainedFold: Sendable {
    var fold: Int
    var directory: URL
    var validationImages: [String]
    /// The images it trained on (`train_images`; external sets by their name).
    var trainImages: [String] = []

    /// Every `<k>/` with a `model.json` under a train output, by fold number.
    static func discover(in root: URL, input: String) throws -> [TrainedFold] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let folds = try names.compactMap { name -> TrainedFold? in
            let directory = root.appendingPathComponent(name)
            let json = directory.appendingPathComponent("model.json")
            guard let fold = Int(name), FileManager.default.fileExists(atPath: json.path) else { return nil }
            let fields: [String: JSONValue]
            do { fields = try JSONValue(parsing: Data(contentsOf: json)).objectValue ?? [:] } catch {
                throw StageError("\(input)/\(name)/model.json is not valid JSON (\(error)); rerun the train stage")
            }
            guard let images = fields["validation_images"]?.arrayValue?.compactMap(\.stringValue) else {
                throw StageError("\(input)/\(name)/model.json has no 'validation_images' list; validate needs a train stage's output")
            }
            let trained = fields["train_images"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return TrainedFold(fold: fold, directory: directory, validationImages: images.sorted(), trainImages: trained.sorted())
        }.sorted { $0.fold < $1.fold }
        guard !folds.isEmpty else {
            throw StageError("'\(input)' holds no <fold>/model.json; 'from' must name a train stage")
        }
        return folds
    }
}
