import NeuralNet
import PipeCore
import PipeSpec

/// The spec fields of `kind: train` (docs/ml-stages.md). Nested tuning knobs
/// have no schema default, so they enter a fold's key only when written;
/// their defaults live in `TrainSettings` and are stated here.
enum TrainSchema {
    /// `precise_bn` when unset: 256 tiles, 16 batches of the default size.
    static let preciseBatchNormDefault = 256

    static let model = FieldSchema("model", .object([
        FieldSchema("arch", .oneOf(SegmentationArch.allCases.map(\.rawValue)), default: .string("unet"),
                    "Architecture, as segmentation_models_pytorch names it."),
        FieldSchema("encoder", .oneOf(EncoderName.all.map(\.description)), default: .string("resnet18"), "Encoder (backbone)."),
        FieldSchema("encoder_depth", .integer(min: 1, max: 5), default: .int(5), "Downsampling stages used; tile sides divide by 2^depth."),
        FieldSchema("decoder_channels", .array(.integer(min: 1, max: 4096)),
                    "Unet only: channels of each decoder block, one per stage; default smp's [256, 128, 64, 32, 16] cut to encoder_depth."),
    ]), default: .object(["arch": .string("unet"), "encoder": .string("resnet18"), "encoder_depth": .int(5)]),
        "The network.")

    static let optimizer = FieldSchema("optimizer", .object([
        FieldSchema("name", .oneOf(["sgd", "adam", "adamw"]), default: .string("adam"), "Update rule (as torch.optim defines it)."),
        FieldSchema("lr", .number(min: 0), default: .double(1e-3), "Base learning rate (peak rate for onecycle)."),
        FieldSchema("weight_decay", .number(min: 0), "L2 penalty (decoupled for adamw); default 0, 0.01 for adamw."),
        FieldSchema("momentum", .number(min: 0, max: 1), "SGD momentum; default 0.9."),
        FieldSchema("nesterov", .boolean, "SGD Nesterov momentum; default false."),
        FieldSchema("betas", .array(.number(min: 0, max: 1)), "Adam's beta1 and beta2; default [0.9, 0.999]."),
        FieldSchema("lookahead", .object([
            FieldSchema("k", .integer(min: 1, max: 1000), default: .int(5), "Inner steps between slow-weight updates."),
            FieldSchema("alpha", .number(min: 0.001, max: 1), default: .double(0.5), "Slow-weight step size."),
        ]), "Wrap the optimizer in Lookahead (Zhang et al. 2019)."),
    ]), default: .object(["name": .string("adam"), "lr": .double(1e-3)]), "The optimizer.")

    static let schedule = FieldSchema("schedule", .object([
        FieldSchema("name", .oneOf(["constant", "step", "cosine", "onecycle"]), default: .string("constant"),
                    "Learning-rate schedule, stepped once per optimizer step."),
        FieldSchema("warmup_epochs", .number(min: 0, max: 100_000), "Linear warm-up length in epochs; default 0."),
        FieldSchema("warmup_factor", .number(min: 0, max: 1), "Warm-up starts at this fraction of the rate; default 0.1."),
        FieldSchema("step_epochs", .number(min: 0.001, max: 100_000), "step: epochs between decays; default 1."),
        FieldSchema("gamma", .number(min: 0), "step: decay factor; default 0.1."),
        FieldSchema("min_lr", .number(min: 0), "cosine: final rate; default 0."),
        FieldSchema("pct_start", .number(min: 0.001, max: 0.999), "onecycle: fraction of steps rising; default 0.3."),
        FieldSchema("div_factor", .number(min: 1), "onecycle: the start rate is lr / div_factor; default 25."),
        FieldSchema("final_div_factor", .number(min: 1), "onecycle: the end rate is start / final_div_factor; default 1e4."),
    ]), default: .object(["name": .string("constant")]), "The learning-rate schedule.")

    static var schema: StageKindSchema {
        StageKindSchema(name: "train", summary: "Train a segmentation model per fold, resumably; one cached task per fold.", fields: [
            FieldSchema("from", .reference, required: true, "An augment stage (policy applied online + tiles) or a tile stage."),
            FieldSchema("folds", .integer(min: 2, max: 100), default: .int(4), "Folds over the source images: tasks train[0] .. train[k-1]."),
            FieldSchema("only_folds", .set(.integer(min: 0, max: 99)), "Train only these folds (not part of a fold's key)."),
            model,
            FieldSchema("init", .dependency,
                        "Pretrained weights (safetensors, smp names) loaded before the first epoch; encoder-only files load partially."),
            FieldSchema("loss", .oneOf(TrainSettings.losses.keys.sorted()), default: .string("bce_jaccard"), "Training loss."),
            optimizer,
            schedule,
            FieldSchema("batch", .integer(min: 1, max: 4096), default: .int(16), "Tiles per optimizer step."),
            FieldSchema("epochs", .integer(min: 1, max: 100_000), default: .int(8), "Passes over the training tiles."),
            FieldSchema("seed", .integer(min: 0), default: .int(0), "Seed of the folds, the initial weights, the order and the augmentation."),
            FieldSchema("balance", .number(min: 0, max: 1), "Fraction of each batch drawn from tiles with mask pixels; absent: no balancing."),
            FieldSchema("reshuffle", .boolean, default: .bool(true), "A new sample order every epoch (false: one fixed order)."),
            FieldSchema("clip", .number(min: 0), "Clip the gradient norm to this value."),
            FieldSchema("precise_bn", .integer(min: 0, max: 1_000_000), default: .int(preciseBatchNormDefault),
                        "Before each validation, recompute batch norm's running statistics over this many training tiles "
                            + "(unaugmented, drawn at random so batches mix images), as torch.optim.swa_utils.update_bn does; "
                            + "0 keeps the running averages, which lag far behind the weights with EfficientNet's momentum of 0.01."),
            FieldSchema("select", .oneOf(EpochSelection.allCases.map(\.rawValue)), default: .string(EpochSelection.default.rawValue),
                        "Which epoch becomes best.safetensors: val_dice (highest pooled held-out Dice at the threshold the "
                            + "sweep picks for that epoch) or val_loss (lowest held-out loss); recorded in summary.json."),
            FieldSchema("threads", .integer(min: 1, max: 256), default: .int(2),
                        "Threads of the training math; part of the key, because the order of gradient sums depends on it."),
            FieldSchema("description", .string, "What the stage is for."),
        ])
    }
}
