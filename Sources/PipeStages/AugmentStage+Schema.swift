import PipeSpec

/// The spec fields of `kind: augment`, one per transform of
/// `AugmentationPolicy` (see its table for semantics and defaults).
enum AugmentSchema {
    static let limit = FieldType.anyOf([.number(min: -65_536, max: 65_536), .array(.number(min: -65_536, max: 65_536))])
    static let border = FieldType.oneOf(["reflect_101", "reflect", "constant"])
    static let probability = FieldSchema("p", .number(min: 0, max: 1), "Probability of applying the transform.")

    /// A transform: a bare probability, or an object of its parameters.
    static func transform(_ name: String, _ summary: String, _ parameters: [FieldSchema]) -> FieldSchema {
        FieldSchema(name, .anyOf([.number(min: 0, max: 1), .object([probability] + parameters)]), summary)
    }

    static let transforms: [FieldSchema] = [
        transform("flip", "Flip left-right and/or top-bottom, each with probability p.", [
            FieldSchema("horizontal", .boolean, "Allow the left-right flip."),
            FieldSchema("vertical", .boolean, "Allow the top-bottom flip."),
        ]),
        transform("rotate90", "Rotate by a random number of quarter turns.", []),
        transform("transpose", "Swap the axes.", []),
        transform("shift_scale_rotate", "Affine warp about the tile centre.", [
            FieldSchema("shift_limit", limit, "Shift range, fraction of the side."),
            FieldSchema("scale_limit", limit, "Zoom range: 1 + s."),
            FieldSchema("rotate_limit", limit, "Rotation range in degrees."),
            FieldSchema("border", border, "How pixels outside the tile are filled."),
        ]),
        transform("elastic", "Smoothed random displacement field.", [
            FieldSchema("alpha", .number(min: 0, max: 10_000), "Displacement scale in pixels."),
            FieldSchema("sigma", .number(min: 0, max: 1_000), "Smoothing of the field."),
            FieldSchema("border", border, "How pixels outside the tile are filled."),
        ]),
        transform("grid_distortion", "Piecewise-linear grid warp.", [
            FieldSchema("num_steps", .integer(min: 1, max: 64), "Cells per axis."),
            FieldSchema("distort_limit", limit, "Range of each cell's stretch."),
            FieldSchema("border", border, "How pixels outside the tile are filled."),
        ]),
        transform("hue_saturation", "Hue/saturation/value shifts in OpenCV's uint8 HSV units.", [
            FieldSchema("hue_shift_limit", limit, "Hue shift (0..180 scale)."),
            FieldSchema("sat_shift_limit", limit, "Saturation shift (0..255)."),
            FieldSchema("val_shift_limit", limit, "Value shift (0..255)."),
        ]),
        transform("color", "Colour jitter in fractions of full scale.", [
            FieldSchema("hue", .number(min: 0, max: 0.5), "Hue shift range, fraction of the colour circle."),
            FieldSchema("saturation", .number(min: 0, max: 1), "Saturation shift range."),
            FieldSchema("value", .number(min: 0, max: 1), "Value shift range."),
        ]),
        transform("brightness_contrast", "Random brightness and contrast.", [
            FieldSchema("brightness_limit", limit, "Brightness range."),
            FieldSchema("contrast_limit", limit, "Contrast range."),
        ]),
        transform("gamma", "Random gamma curve.", [FieldSchema("gamma_limit", limit, "Gamma range x100.")]),
        transform("blur", "Box or Gaussian blur with an odd kernel.", [
            FieldSchema("blur_limit", limit, "Kernel size range (odd, >= 3)."),
            FieldSchema("kind", .oneOf(["box", "gaussian"]), "Blur kernel."),
        ]),
        transform("gauss_noise", "Additive Gaussian noise.", [
            FieldSchema("var_limit", limit, "Variance range in squared levels."),
            FieldSchema("mean", .number(min: -255, max: 255), "Noise mean in levels."),
            FieldSchema("per_channel", .boolean, "Independent noise per channel."),
        ]),
    ]

    static var schema: StageKindSchema {
        StageKindSchema(name: "augment", summary: "A seeded augmentation policy for training, optionally materialized as copies.",
                        fields: [
                            FieldSchema("from", .reference, required: true, "The tile stage whose tiles are augmented."),
                            FieldSchema("seed", .integer(min: 0), default: .int(0), "Seed of every random choice."),
                            FieldSchema("copies", .integer(min: 0, max: 64), default: .int(0),
                                        "Augmented variants of every tile to materialize (paid once, cached); 0 = online only."),
                            FieldSchema("preview", .integer(min: 0, max: 64), default: .int(16), "Augmented samples on the preview sheet."),
                            FieldSchema("description", .string, "What the stage is for."),
                        ] + transforms)
    }
}
