import Foundation
import PipeCore

/// The held-out check (`holdout:` of a validate stage): a labelled
/// Kaggle-layout data source whose images no fold trained or validated on,
/// scored image-level by the ensemble of every fold (the model a submission
/// uses) at the threshold cross-validation chose. Its Dice next to the CV
/// Dice says whether CV (and the threshold picked on it) can be trusted.
struct HoldoutCheck {
    let truth: GroundTruth

    /// The image ids of the source: every `train/<id>.tiff` (or `.tif`), sorted.
    func imageIDs() throws -> [String] {
        let folder = truth.input.path.appendingPathComponent("train")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let ids = names.filter { $0.hasSuffix(".tiff") || $0.hasSuffix(".tif") }.map { ($0 as NSString).deletingPathExtension }.sorted()
        guard !ids.isEmpty else {
            throw StageError("holdout source '\(truth.input.name)' holds no train/<id>.tiff; give a labelled Kaggle-layout data source")
        }
        return ids
    }

    /// Refuses holdout images that some fold trained or validated on (by id): they would not be held out.
    static func checkUnseen(_ ids: [String], folds: [TrainedFold], source: String) throws {
        for fold in folds {
            if let seen = ids.first(where: { fold.trainImages.contains($0) || fold.validationImages.contains($0) }) {
                throw StageError("holdout image '\(seen)' of '\(source)' was seen by fold \(fold.fold); the holdout must be images no fold trains or validates on")
            }
        }
    }
}

/// The holdout images' scores at every threshold, reported at the CV threshold.
struct HoldoutReport: Sendable {
    let thresholds: [Double]
    /// Index of the threshold cross-validation chose.
    let chosen: Int
    let images: [ImageScores]

    var sweep: DiceSweep {
        var sweep = DiceSweep(thresholds: thresholds)
        for image in images { sweep.append(image.image) }
        return sweep
    }

    /// Mean image Dice at the CV threshold.
    var dice: Double { sweep.mean[chosen] }

    /// `scores.json` `holdout`: the CV threshold, the mean Dice there, the
    /// holdout's own best threshold (for information only: choosing on it would leak), and each image.
    var json: JSONValue {
        let sweep = self.sweep
        return .object([
            "threshold": .double(thresholds[chosen]), "dice_image": .double(rounded(dice)),
            "own_best_threshold": .double(sweep.best), "own_best_dice_image": .double(rounded(sweep.mean[sweep.bestIndex])),
            "images": .array(images.map { image in
                .object(["id": .string(image.id), "width": .int(image.width), "height": .int(image.height),
                         "truth_area": .int(image.truthArea), "dice_image": .double(rounded(image.image[chosen]))])
            }),
        ])
    }

    private func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
