import Foundation
import Imaging
import PipeSpec

/// One scored image and what its overlay needs.
struct ScoredImage: Sendable {
    var scores: ImageScores
    var path: String
    var prediction: BandThumbnail
    var truth: BandThumbnail
    /// Each tile's Dice per threshold, in shard order.
    var tileDice: [[Double]]
}

/// The work of one validate task: every fold's held-out images scored, then the overlays.
struct ValidationRun {
    let context: TaskContext
    let thresholds: [Double]
    let truth: GroundTruth
    /// Tile shard directory per image id.
    let shards: [String: URL]
    let options: InferenceOptions
    /// Held-out images over all folds, for progress.
    let total: Int

    var stage: StageSpec { context.stage }
    var overlaySide: Int { stage.config["overlay"]?.intValue ?? 512 }

    /// Scores every fold's validation images with that fold's model alone.
    func score(_ folds: [TrainedFold]) throws -> [ScoredImage] {
        var result: [ScoredImage] = []
        for fold in folds {
            let ensemble = try load(fold)
            for id in fold.validationImages {
                let done = Double(result.count), total = Double(max(total, 1)), label = "fold \(fold.fold): \(id)"
                context.progress(done / total, label)
                result.append(try scoreImage(id, fold: fold.fold, ensemble: ensemble) { fraction, message in
                    context.progress((done + (fraction ?? 0)) / total, "\(label): \(message)")
                })
            }
        }
        context.progress(1, "scored \(result.count) images")
        return result
    }

    /// Scores the holdout images with the ensemble of every fold under `train`
    /// (image level only: they have no tiles). `done` images were scored before, for progress.
    func scoreHoldout(_ holdoutTruth: GroundTruth, ids: [String], train: URL, done: Int) throws -> [ImageScores] {
        let ensemble: FoldEnsemble
        do { ensemble = try FoldEnsemble.load(train) } catch let error as StageError {
            throw StageError(error.message, at: error.location ?? stage.location(of: "from"))
        }
        let run = ValidationRun(context: context, thresholds: thresholds, truth: holdoutTruth, shards: [:], options: options, total: total)
        return try ids.enumerated().map { n, id in
            let finished = Double(done + n), total = Double(max(total, 1)), label = "holdout: \(id)"
            context.progress(finished / total, label)
            return try run.scoreImage(id, fold: -1, ensemble: ensemble, located: "holdout") { fraction, message in
                context.progress((finished + (fraction ?? 0)) / total, "\(label): \(message)")
            }.scores
        }
    }

    func load(_ fold: TrainedFold) throws -> FoldEnsemble {
        do { return try FoldEnsemble.load(fold.directory) } catch let error as StageError {
            throw StageError("fold \(fold.fold): \(error.message)", at: error.location ?? stage.location(of: "from"))
        }
    }

    /// Image-level Dice through the sliding-window predictor, streamed against the truth; tile-level Dice on its tiles.
    /// `located` is the field whose source the image comes from (for error locations).
    func scoreImage(_ id: String, fold: Int, ensemble: FoldEnsemble, located field: String = "images",
                    progress: @escaping ProgressHandler) throws -> ScoredImage {
        let (path, mask) = try context.located(field) {
            let path = try truth.imagePath(id)
            let info: TiffInfo
            do { info = try TiffReader.info(path: path) } catch { throw StageError("\(error)") }
            return (path, try truth.mask(id, width: info.width, height: info.height))
        }
        var streaming = StreamingDice(truth: mask, thumbnailSide: overlaySide)
        let predictor = SlidingWindowPredictor(ensemble: ensemble, options: options)
        try predictor.predict(image: path, progress: progress) { first, rows, probabilities in
            try streaming.add(firstRow: first, rows: rows, probabilities)
        }
        guard streaming.isComplete else {
            throw StageError("the prediction of '\(id)' stopped at row \(streaming.rowsSeen) of \(streaming.height)")
        }
        var tiles: [DiceHistogram] = []
        if let shard = shards[id] {
            let reader: TileShardReader
            do { reader = try TileShardReader(path: shard.appendingPathComponent("tiles.bin").path) } catch {
                throw StageError("\(error)", at: stage.location(of: "tiles"))
            }
            tiles = try tileScoring(ensemble).histograms(reader, name: id)
        }
        var pooled = DiceHistogram()
        for tile in tiles { pooled.merge(tile) }
        let scores = ImageScores(fold: fold, id: id, width: streaming.width, height: streaming.height,
                                 image: streaming.histogram.dice(thresholds: thresholds),
                                 tiles: tiles.isEmpty ? nil : pooled.dice(thresholds: thresholds),
                                 tileCount: tiles.count, truthArea: streaming.histogram.truthArea)
        return ScoredImage(scores: scores, path: path, prediction: streaming.prediction, truth: streaming.truthThumbnail,
                           tileDice: tiles.map { $0.dice(thresholds: thresholds) })
    }

    func tileScoring(_ ensemble: FoldEnsemble) -> TileScoring {
        TileScoring(ensemble: ensemble, batch: options.batch, threads: options.threads)
    }
}
