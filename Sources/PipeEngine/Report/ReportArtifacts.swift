/// The output files the report reads from a task's output tree. Stages that
/// want a section write these names (stages cannot import the engine, so
/// they repeat the strings; this is the one place that documents them):
///
/// - `metrics.csv` (train, one per fold task `train[k]`): a header row, then
///   one row per epoch; columns `epoch,lr,train_loss,val_loss,val_dice,seconds`
///   in any order, extra columns ignored, an empty cell is a gap in the line.
/// - `sweep.json` (validate): `{"thresholds": [0.3, 0.4, ...], "dice": [...]}`,
///   equal lengths (validate adds `dice_tile` and `best`); the best threshold is marked.
/// - `overlays/*.png` (validate): the worst-case images and tiles with prediction
///   and ground truth drawn on them (`image-01-<id>.png`, `tile-01-<id>-<n>.png`),
///   shown in file-name order, captioned by name.
/// - `preview.png` or `previews/*.png` (tile, augment): contact sheets.
///
/// A section whose files no task of the latest run wrote says "not run yet".
public enum ReportArtifacts {
    public static let learningCurve = "metrics.csv"
    public static let thresholdSweep = "sweep.json"
    public static let overlaysDirectory = "overlays/"
    public static let preview = "preview.png"
    public static let previewsDirectory = "previews/"
    /// At most this many images per gallery section, so a page stays a few MB.
    public static let imageLimit = 48
}
