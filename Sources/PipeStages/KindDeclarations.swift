import PipeCore

// What each standard kind reports and writes for others to read (the stage
// table, `pipe diff`, `pipe log`, the report), declared beside one another.

extension ValidateStage {
    public var runsModels: Bool { true }

    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("cv_dice_image", .higherIsBetter, .score, column: .cvImage,
                           units: .init(file: "scores.json", list: "images", value: "dice_image")),
         MetricDeclaration("cv_dice_image_std", .lowerIsBetter, .score),
         MetricDeclaration("cv_dice_tile", .higherIsBetter, .score, column: .cvTile,
                           units: .init(file: "scores.json", list: "images", value: "dice_tile")),
         MetricDeclaration("cv_dice_tile_std", .lowerIsBetter, .score),
         MetricDeclaration("holdout_dice_image", .higherIsBetter, .score, column: .holdout),
         MetricDeclaration("holdout_images", .neutral, .count),
         MetricDeclaration("threshold", .neutral, .number),
         MetricDeclaration("threshold_on_edge", .lowerIsBetter, .count),
         MetricDeclaration("images", .neutral, .count),
         MetricDeclaration("folds", .neutral, .count)]
    }

    public var declaredArtifacts: [ArtifactDeclaration] {
        [ArtifactDeclaration(.thresholdSweep, "sweep.json"), ArtifactDeclaration(.overlays, "overlays/")]
    }
}

extension TrainStage {
    public var runsModels: Bool { true }

    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("val_dice", .higherIsBetter, .score),
         MetricDeclaration("val_loss", .lowerIsBetter, .number),
         MetricDeclaration("val_threshold", .neutral, .number),
         MetricDeclaration("best_epoch", .neutral, .count),
         MetricDeclaration("seconds", .lowerIsBetter, .seconds),
         MetricDeclaration("images_per_second", .higherIsBetter, .number)]
    }

    public var declaredArtifacts: [ArtifactDeclaration] { [ArtifactDeclaration(.learningCurve, "metrics.csv")] }

    /// `arch/encoder`.
    public func modelSummary(of config: JSONValue) -> String? {
        guard let model = config["model"] else { return nil }
        return [model["arch"]?.stringValue, model["encoder"]?.stringValue].compactMap { $0 }.joined(separator: "/")
    }
}

extension TileStage {
    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("tiles", .neutral, .count), MetricDeclaration("windows", .neutral, .count),
         MetricDeclaration("mask_pixels", .neutral, .count)]
    }

    public var declaredArtifacts: [ArtifactDeclaration] {
        [ArtifactDeclaration(.preview, "preview.png"), ArtifactDeclaration(.preview, "previews/")]
    }
}

extension AugmentStage {
    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("images", .neutral, .count), MetricDeclaration("augmented_tiles", .neutral, .count)]
    }

    public var declaredArtifacts: [ArtifactDeclaration] {
        [ArtifactDeclaration(.preview, "preview.png"), ArtifactDeclaration(.preview, "previews/")]
    }
}

extension TTAInferStage {
    public var runsModels: Bool { true }

    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("windows_predicted", .neutral, .count), MetricDeclaration("windows_skipped", .neutral, .count),
         MetricDeclaration("seconds", .lowerIsBetter, .seconds)]
    }

    public var declaredArtifacts: [ArtifactDeclaration] { [ArtifactDeclaration(.preview, "preview.png")] }
}

extension SubmitStage {
    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("images", .neutral, .count), MetricDeclaration("threshold", .neutral, .number),
         MetricDeclaration("mean_area_fraction", .neutral, .number)]
    }
}

extension CommandStage {
    /// A command (a PyTorch script) that reports `cv_dice` fills the experiment table's CV column;
    /// per-image Dice in its `scores.json` (`{"images": [{"id": ..., "dice": ...}]}`) give `pipe ablate` its intervals.
    public var declaredMetrics: [MetricDeclaration] {
        [MetricDeclaration("cv_dice", .higherIsBetter, .score, column: .cvImage,
                           units: .init(file: "scores.json", list: "images", value: "dice"))]
    }
}

extension SyntheticKidneySource {
    public var declaredMetrics: [MetricDeclaration] { [MetricDeclaration("images", .neutral, .count)] }
}

extension SyntheticExternalSource {
    public var declaredMetrics: [MetricDeclaration] { [MetricDeclaration("tiles", .neutral, .count)] }
}
