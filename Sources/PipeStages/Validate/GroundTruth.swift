import Foundation
import Imaging

/// Where the validation images and their truth live: a Kaggle-layout data
/// source (`train/<id>.tiff`, `train.csv` RLE or `train/<id>.json` polygons).
struct GroundTruth: Sendable {
    let input: InputArtifact
    let polygons: Bool
    let table: TrainTable?

    init(input: InputArtifact, polygons: Bool) throws {
        self.input = input
        self.polygons = polygons
        table = polygons ? nil : try TrainTable(directory: input.path)
    }

    /// `train/<id>.tiff` (or `.tif`, or at the top level) of the source.
    func imagePath(_ id: String) throws -> String {
        let candidates = ["train/\(id).tiff", "train/\(id).tif", "\(id).tiff", "\(id).tif"]
        for relative in candidates {
            let url = input.path.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) { return url.path }
        }
        throw StageError("validation image '\(id)' is not in '\(input.name)' (no train/\(id).tiff); 'images' must be the data source the model was trained on")
    }

    /// The truth mask of image `id` of the given size; a missing train.csv row is an empty mask.
    func mask(_ id: String, width: Int, height: Int) throws -> MaskSource {
        do {
            if polygons {
                let url = input.path.appendingPathComponent("train/\(id).json")
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw StageError("image '\(id)' of '\(input.name)' has no polygon file train/\(id).json; use mask: rle or add it")
                }
                return try MaskSource.fromPolygons(path: url.path, width: width, height: height)
            }
            let row = table?.rows[id] ?? ""
            return .rle(try RLEMask(rle: row, width: width, height: height, source: "\(input.name)/train.csv row of '\(id)'"))
        } catch let error as ImagingError {
            throw StageError("\(error) (the image is \(width) x \(height))")
        }
    }
}
