import Foundation
import NeuralNet
import PipeCore
import PipeSpec

/// The train stage's resolved config, checked once, with the defaults the
/// schema leaves to code (see `TrainSchema`).
struct TrainSettings: Sendable {
    /// Spec loss names and what they train with.
    static let losses: [String: SegmentationLoss] = [
        "bce": .bce, "dice": .dice, "jaccard": .jaccard, "bce_jaccard": .bceJaccard, "bce_dice": .bceDice, "lovasz": .lovaszHinge,
    ]

    var folds: Int
    var onlyFolds: [Int]?
    var model: SegmentationModelConfig
    var loss: SegmentationLoss
    var optimizer: OptimizerSettings
    var schedule: ScheduleSettings
    var batch: Int
    var epochs: Int
    var seed: UInt64
    var balance: Double?
    var reshuffle: Bool
    var clip: Float?
    /// Training tiles the batch-norm statistics are recomputed over before each validation (`precise_bn`; 0: never).
    var preciseBatchNorm: Int
    var threads: Int
    /// How the best epoch is chosen (`select`).
    var selection: EpochSelection
    /// The `init` path as written, if any.
    var initWeights: String?

    init(_ stage: StageSpec) throws {
        let config = stage.config
        let folds = config["folds"]?.intValue ?? 4, onlyFolds = config["only_folds"]?.arrayValue?.compactMap(\.intValue)
        (self.folds, self.onlyFolds) = (folds, onlyFolds)
        if let bad = onlyFolds?.first(where: { $0 >= folds }) {
            throw StageError("only_folds names fold \(bad), but folds is \(folds) (folds are 0 to \(folds - 1))",
                             at: stage.location(of: "only_folds"))
        }
        model = try Self.modelConfig(stage)
        loss = Self.losses[config["loss"]?.stringValue ?? "bce_jaccard"] ?? .bceJaccard
        optimizer = OptimizerSettings(config["optimizer"] ?? .null)
        schedule = ScheduleSettings(config["schedule"] ?? .null)
        batch = config["batch"]?.intValue ?? 16
        epochs = config["epochs"]?.intValue ?? 8
        seed = UInt64(max(0, config["seed"]?.intValue ?? 0))
        balance = config["balance"]?.doubleValue
        reshuffle = config["reshuffle"]?.boolValue ?? true
        clip = config["clip"]?.doubleValue.map { Float($0) }
        preciseBatchNorm = config["precise_bn"]?.intValue ?? TrainSchema.preciseBatchNormDefault
        threads = config["threads"]?.intValue ?? 2
        selection = config["select"]?.stringValue.flatMap(EpochSelection.init(rawValue:)) ?? .default
        initWeights = config["init"]?.stringValue
    }

    static func modelConfig(_ stage: StageSpec) throws -> SegmentationModelConfig {
        let model = stage.config["model"] ?? .null
        let arch = SegmentationArch(rawValue: model["arch"]?.stringValue ?? "unet") ?? .unet
        let encoder = EncoderName(model["encoder"]?.stringValue ?? "resnet18") ?? .resnet18
        let depth = model["encoder_depth"]?.intValue ?? 5
        let channels = model["decoder_channels"]?.arrayValue?.compactMap(\.intValue)
        let config = SegmentationModelConfig(arch: arch, encoder: encoder, encoderDepth: depth, decoderChannels: channels)
        do { try config.validate() } catch let error as NeuralNetError {
            throw StageError("model: \(error.message)", at: stage.location(of: "model"))
        }
        return config
    }

    /// The fold numbers that get a task.
    var taskFolds: [Int] { onlyFolds.map { Set($0).sorted() } ?? Array(0..<folds) }
}

/// `optimizer:` of a train stage.
struct OptimizerSettings: Sendable {
    var name: String
    var lr: Float
    var weightDecay: Float
    var momentum: Float
    var nesterov: Bool
    var betas: (Float, Float)
    var lookahead: (k: Int, alpha: Float)?

    init(_ config: JSONValue) {
        name = config["name"]?.stringValue ?? "adam"
        lr = Float(config["lr"]?.doubleValue ?? 1e-3)
        weightDecay = Float(config["weight_decay"]?.doubleValue ?? (name == "adamw" ? 0.01 : 0))
        momentum = Float(config["momentum"]?.doubleValue ?? 0.9)
        nesterov = config["nesterov"]?.boolValue ?? false
        let betas = config["betas"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        self.betas = (Float(betas.first ?? 0.9), Float(betas.count > 1 ? betas[1] : 0.999))
        lookahead = config["lookahead"].map { (k: $0["k"]?.intValue ?? 5, alpha: Float($0["alpha"]?.doubleValue ?? 0.5)) }
    }

    /// The optimizer over `parameters` (Lookahead-wrapped when configured).
    func make(_ parameters: [(name: String, variable: Variable)]) -> Optimizer {
        let inner: Optimizer
        switch name {
        case "sgd":
            inner = SGD(parameters: parameters, learningRate: lr, momentum: momentum, nesterov: nesterov && momentum > 0,
                        weightDecay: weightDecay)
        default:
            inner = Adam(parameters: parameters, learningRate: lr, beta1: betas.0, beta2: betas.1, weightDecay: weightDecay,
                         decoupledWeightDecay: name == "adamw")
        }
        guard let lookahead else { return inner }
        return Lookahead(inner, parameters: parameters, k: lookahead.k, alpha: lookahead.alpha)
    }
}

/// `schedule:` of a train stage, turned into a per-step `LearningRateSchedule`.
struct ScheduleSettings: Sendable {
    var config: JSONValue

    init(_ config: JSONValue) { self.config = config }

    func number(_ key: String, _ fallback: Double) -> Double { config[key]?.doubleValue ?? fallback }

    /// The schedule over `epochs` epochs of `stepsPerEpoch` steps.
    func schedule(stepsPerEpoch: Int, epochs: Int) -> LearningRateSchedule {
        let total = max(1, stepsPerEpoch * epochs)
        let main: LearningRateSchedule
        switch config["name"]?.stringValue ?? "constant" {
        case "step":
            main = .step(size: max(1, Int((number("step_epochs", 1) * Double(stepsPerEpoch)).rounded())),
                         gamma: Float(number("gamma", 0.1)))
        case "cosine":
            main = .cosine(total: total, minLR: Float(number("min_lr", 0)))
        case "onecycle":
            main = .oneCycle(total: max(2, total), pctStart: Float(number("pct_start", 0.3)),
                             divFactor: Float(number("div_factor", 25)), finalDivFactor: Float(number("final_div_factor", 1e4)))
        default:
            main = .constant
        }
        let warmup = Int((number("warmup_epochs", 0) * Double(stepsPerEpoch)).rounded())
        guard warmup > 0 else { return main }
        return .warmup(steps: warmup, startFactor: Float(number("warmup_factor", 0.1)), then: main)
    }
}
