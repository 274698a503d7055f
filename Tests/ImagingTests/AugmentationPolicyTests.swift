import Foundation
import Imaging
import Testing

/// Decoding the policy from spec JSON: bare probabilities, objects with defaults, ranges, errors.
@Suite struct AugmentationPolicyTests {
    typealias P = AugmentationPolicy

    @Test func exampleSpecDecodes() throws {
        let policy = try decodePolicy(#"{"kind": "augment", "from": "tile", "flip": 0.5, "rotate90": 0.5, "color": {"p": 0.3, "hue": 0.05}}"#)
        #expect(policy == P(flip: P.Flip(p: 0.5), rotate90: P.Rotate90(p: 0.5),
                            color: P.Color(p: 0.3, hue: AugmentationRange(-0.05, 0.05))))
        #expect(policy.color?.asHueSaturation.hueShiftLimit == AugmentationRange(-9, 9))
        #expect(policy.color?.asHueSaturation.satShiftLimit == AugmentationRange(0, 0))
    }

    @Test func bareNumbersTakeDefaultParameters() throws {
        let names = P.transformNames.map { "\"\($0)\": 0.25" }.joined(separator: ", ")
        let policy = try decodePolicy("{\(names)}")
        #expect(policy == P(flip: .init(p: 0.25), rotate90: .init(p: 0.25), transpose: .init(p: 0.25),
                            shiftScaleRotate: .init(p: 0.25), elastic: .init(p: 0.25), gridDistortion: .init(p: 0.25),
                            hueSaturation: .init(p: 0.25), color: .init(p: 0.25), brightnessContrast: .init(p: 0.25),
                            gamma: .init(p: 0.25), blur: .init(p: 0.25), gaussNoise: .init(p: 0.25)))
    }

    @Test func snakeCaseParametersAndScalarRanges() throws {
        let policy = try decodePolicy("""
            {"shift_scale_rotate": {"p": 1, "shift_limit": 0.1, "scale_limit": [-0.2, 0.3], "rotate_limit": 15, "border": "reflect"},
             "grid_distortion": {"num_steps": 4, "distort_limit": 0.2, "border": "constant"},
             "gamma": {"gamma_limit": 30}, "gauss_noise": {"var_limit": 40, "per_channel": false},
             "blur": {"blur_limit": 5, "kind": "gaussian"}, "brightness_contrast": {"brightness_limit": [0, 0.1]},
             "hue_saturation": {"hue_shift_limit": 10, "sat_shift_limit": [5, 5]}, "elastic": {"alpha": 50, "sigma": 5}}
            """)
        #expect(policy.shiftScaleRotate == P.ShiftScaleRotate(p: 1, shiftLimit: .init(-0.1, 0.1), scaleLimit: .init(-0.2, 0.3),
                                                              rotateLimit: .init(-15, 15), border: .reflect))
        #expect(policy.gridDistortion == P.GridDistortion(p: 0.5, numSteps: 4, distortLimit: .init(-0.2, 0.2), border: .constant))
        #expect(policy.gamma?.gammaLimit == AugmentationRange(70, 130))
        #expect(policy.gaussNoise == P.GaussNoise(varLimit: .init(0, 40), perChannel: false))
        #expect(policy.blur == P.Blur(blurLimit: .init(3, 5), kind: .gaussian))
        #expect(policy.brightnessContrast == P.BrightnessContrast(brightnessLimit: .init(0, 0.1)))
        #expect(policy.hueSaturation == P.HueSaturation(hueShiftLimit: .init(-10, 10), satShiftLimit: .init(5, 5)))
        #expect(policy.elastic == P.Elastic(alpha: 50, sigma: 5))
    }

    @Test func encodingRoundTrips() throws {
        let policy = try decodePolicy(P.transformNames.map { "\"\($0)\": 0.5" }.joined(separator: ", ").wrapped)
        let data = try JSONEncoder().encode(policy)
        #expect(try JSONDecoder().decode(P.self, from: data) == policy)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"shift_scale_rotate\"") && text.contains("\"var_limit\":[10,50]"))
    }

    @Test(arguments: [
        (#"{"flip": {"p": 0.5, "horizontl": true}}"#, "horizontl"),
        (#"{"flip": 1.5}"#, "between 0 and 1"),
        (#"{"rotate90": {"p": -0.1}}"#, "between 0 and 1"),
        (#"{"blur": {"blur_limit": [4, 8]}}"#, "odd"),
        (#"{"gamma": {"gamma_limit": [0, 120]}}"#, "gamma_limit"),
        (#"{"gauss_noise": {"var_limit": [-1, 5]}}"#, "variance"),
        (#"{"grid_distortion": {"num_steps": 0}}"#, "num_steps"),
        (#"{"shift_scale_rotate": {"scale_limit": [-1, 0]}}"#, "above -1"),
        (#"{"shift_scale_rotate": {"border": "wrap"}}"#, "wrap"),
        (#"{"brightness_contrast": {"contrast_limit": [0.3, 0.1]}}"#, "lo <= hi"),
    ])
    func invalidPoliciesAreRejected(json: String, expected: String) {
        #expect {
            _ = try decodePolicy(json)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func transformNamesCoverEveryKeyOnce() throws {
        #expect(Set(P.transformNames).count == 12)
        let everything = try decodePolicy(P.transformNames.map { "\"\($0)\": 1" }.joined(separator: ", ").wrapped)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(everything)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == Set(P.transformNames))
    }
}

extension String {
    /// `{self}`.
    fileprivate var wrapped: String { "{\(self)}" }
}
