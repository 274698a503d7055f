/// How overlapping windows are combined into one map.
public enum WindowBlend: String, Sendable, CaseIterable, Codable {
    /// Each pixel comes from the one window whose centre is nearest (its core); no averaging.
    case core
    /// A tent weight per window, highest at its centre, normalised by the weight sum.
    case linear
    /// A Gaussian weight per window (sigma = window / 8), normalised by the weight sum.
    case gaussian
}

/// How the predictions of TTA variants and fold models are averaged.
public enum PredictionAverage: String, Sendable, CaseIterable, Codable {
    /// The mean of the sigmoid probabilities.
    case probability
    /// The sigmoid of the mean logit.
    case logit
}

/// Everything about a sliding-window prediction except the models.
public struct InferenceOptions: Sendable, Equatable {
    /// Window side in model pixels (after `reduce`); nil: the models' tile size.
    public var window: Int?
    /// Overlap between neighbouring windows, model pixels (less than the window).
    public var overlap: Int
    public var blend: WindowBlend
    /// Test-time augmentations, each run on the batch and inverted on the output.
    public var tta: [TTATransform]
    public var average: PredictionAverage
    /// Windows per model call.
    public var batch: Int
    /// Threads for decoding and for the model (`Compute`); a resource setting, results do not depend on it.
    public var threads: Int
    /// Windows without tissue (the tiling recipe's filter) predict 0 without running the model.
    public var skipEmpty: Bool
    /// Rows of each band handed to the sink (the last band may be shorter).
    public var bandRows: Int

    public init(window: Int? = nil, overlap: Int = 0, blend: WindowBlend = .core, tta: [TTATransform] = [.none],
                average: PredictionAverage = .probability, batch: Int = 8, threads: Int = 1, skipEmpty: Bool = true,
                bandRows: Int = 512) {
        self.window = window
        self.overlap = overlap
        self.blend = blend
        self.tta = tta
        self.average = average
        self.batch = batch
        self.threads = threads
        self.skipEmpty = skipEmpty
        self.bandRows = bandRows
    }

    /// Checks the options against a window side; throws a user-phrased `StageError`.
    func validate(window: Int) throws {
        guard window >= 1 else { throw StageError("window '\(window)' must be at least 1 model pixel") }
        guard overlap >= 0, overlap < window else {
            throw StageError("overlap '\(overlap)' must be at least 0 and less than the window (\(window))")
        }
        guard !tta.isEmpty else { throw StageError("tta is empty; use [none] for no test-time augmentation") }
        guard batch >= 1, threads >= 1, bandRows >= 1 else {
            throw StageError("batch '\(batch)', threads '\(threads)' and band rows '\(bandRows)' must be at least 1")
        }
    }
}
