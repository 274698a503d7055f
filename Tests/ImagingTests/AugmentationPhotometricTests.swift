import Foundation
import Imaging
import Testing

/// Colour, tone, blur and noise against closed-form formulas.
@Suite struct AugmentationPhotometricTests {
    typealias P = AugmentationPolicy

    /// Every byte value 0...255 in each channel, in varied combinations.
    static let palette = TestTile.random(width: 64, height: 64, seed: 77)

    static func hsv(hue: Double, saturation: Double = 0, value: Double = 0) -> P {
        P(hueSaturation: .init(p: 1, hueShiftLimit: .init(hue, hue), satShiftLimit: .init(saturation, saturation),
                               valShiftLimit: .init(value, value)))
    }

    static func pixel(_ rgb: (UInt8, UInt8, UInt8), _ policy: P) -> [UInt8] {
        Array(TestTile.solid(width: 1, height: 1, rgb: rgb).augmented(policy, seed: 1).0.image)
    }

    @Test func zeroHSVShiftIsExactIdentity() {
        #expect(Self.palette.augmented(Self.hsv(hue: 0), seed: 1).0 == Self.palette)
    }

    @Test(arguments: [7.0, -13.0, 45.0, 90.0])
    func hueShiftRoundTripsWithinTwoLevels(shift: Double) {
        let there = Self.palette.augmented(Self.hsv(hue: shift), seed: 1).0
        let back = there.augmented(Self.hsv(hue: -shift), seed: 1).0
        let diffs = zip(back.image, Self.palette.image).map { abs(Int($0) - Int($1)) }
        #expect(diffs.max()! <= 2)
        #expect(Double(diffs.reduce(0, +)) / Double(diffs.count) < 0.5)
        #expect(there.image != Self.palette.image)
    }

    @Test func hueShiftsMoveAroundOpenCVsColourCircle() {
        #expect(Self.pixel((255, 0, 0), Self.hsv(hue: 60)) == [0, 255, 0])       // 120 degrees: red -> green
        #expect(Self.pixel((255, 0, 0), Self.hsv(hue: 30)) == [255, 255, 0])     // 60 degrees: red -> yellow
        #expect(Self.pixel((255, 0, 0), Self.hsv(hue: -60)) == [0, 0, 255])      // wraps: red -> blue
        #expect(Self.pixel((0, 0, 255), Self.hsv(hue: 240)) == [255, 0, 0])      // 240 = 60 mod 180: blue -> red
        #expect(Self.pixel((100, 50, 50), Self.hsv(hue: 0, value: 20)) == [120, 60, 60])
        #expect(Self.pixel((200, 100, 50), Self.hsv(hue: 0, saturation: -255)) == [200, 200, 200])
        #expect(Self.pixel((90, 90, 90), Self.hsv(hue: 15)) == [90, 90, 90])     // grey has no hue
    }

    @Test func colorShorthandIsHueSaturationInFractions() {
        let color = P(color: .init(p: 1, hue: .init(0.1, 0.1), saturation: .init(-0.2, -0.2), value: .init(0.05, 0.05)))
        let hsv = Self.hsv(hue: 18, saturation: -51, value: 12.75)
        #expect(Self.palette.augmented(color, seed: 3).0 == Self.palette.augmented(hsv, seed: 3).0)
    }

    @Test(arguments: [(0.1, -0.2), (-0.15, 0.3), (0.0, 0.0)])
    func brightnessContrastMatchesFormula(brightness: Double, contrast: Double) {
        let policy = P(brightnessContrast: .init(p: 1, brightnessLimit: .init(brightness, brightness),
                                                 contrastLimit: .init(contrast, contrast)))
        let out = Self.palette.augmented(policy, seed: 1).0
        let expected = Self.palette.image.map { v in
            UInt8(min(max((Double(v) * (1 + contrast) + brightness * 255 + 0.5).rounded(.down), 0), 255))
        }
        #expect(out.image == expected)
    }

    @Test(arguments: [0.8, 1.0, 1.2, 0.5])
    func gammaMatchesFormula(gamma: Double) {
        let policy = P(gamma: .init(p: 1, gammaLimit: .init(gamma * 100, gamma * 100)))
        let out = Self.palette.augmented(policy, seed: 1).0
        let expected = Self.palette.image.map { v in UInt8((255 * Foundation.pow(Double(v) / 255, gamma) + 0.5).rounded(.down)) }
        #expect(out.image == expected)
    }

    @Test func brightnessContrastThenGammaCompose() {
        let policy = P(brightnessContrast: .init(p: 1, brightnessLimit: .init(0.05, 0.05), contrastLimit: .init(0.2, 0.2)),
                       gamma: .init(p: 1, gammaLimit: .init(90, 90)))
        let out = Self.palette.augmented(policy, seed: 1).0
        let expected = Self.palette.image.map { v -> UInt8 in
            let bc = min(max((Double(v) * 1.2 + 0.05 * 255 + 0.5).rounded(.down), 0), 255)
            return UInt8((255 * Foundation.pow(bc / 255, 0.9) + 0.5).rounded(.down))
        }
        #expect(out.image == expected)
    }

    @Test(arguments: [(30.0, 0.0, true), (100.0, 0.0, false), (10.0, 4.0, true)])
    func noiseHasTheRequestedVarianceAndMean(variance: Double, mean: Double, perChannel: Bool) {
        let policy = P(gaussNoise: .init(p: 1, varLimit: .init(variance, variance), mean: mean, perChannel: perChannel))
        let tile = TestTile.solid(width: 256, height: 256, rgb: (128, 128, 128))
        let out = tile.augmented(policy, seed: 2024).0
        let deltas: [Double] = out.image.map { Double($0) - 128 }
        let count = Double(deltas.count)
        let m: Double = deltas.reduce(0, +) / count
        let v: Double = deltas.reduce(0.0) { (sum: Double, d: Double) in sum + (d - m) * (d - m) } / count
        // Rounding to whole levels adds 1/12 to the variance.
        let expected: Double = variance + 1.0 / 12
        #expect(abs(v - expected) < 0.03 * variance)
        #expect(abs(m - mean) < 0.1)
        var sameAcrossChannels = true
        for p in stride(from: 0, to: out.image.count, by: 3) where out.image[p] != out.image[p + 1] || out.image[p] != out.image[p + 2] {
            sameAcrossChannels = false
        }
        #expect(sameAcrossChannels == !perChannel)
    }

    @Test(arguments: [3, 5, 7])
    func boxBlurIsTheRoundedMeanWithReflect101Borders(kernel: Int) {
        let tile = TestTile.random(width: 11, height: 8, seed: 5)
        let policy = P(blur: .init(p: 1, blurLimit: .init(Double(kernel), Double(kernel))))
        let (out, record) = tile.augmented(policy, seed: 1)
        #expect(record.applied == [.blur(kernel: kernel, kind: .box)])
        func reflect(_ i: Int, _ n: Int) -> Int { i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i) }
        let r = kernel / 2, area = kernel * kernel
        for y in 0..<8 {
            for x in 0..<11 {
                for c in 0..<3 {
                    var sum = 0
                    for dy in -r...r { for dx in -r...r { sum += Int(tile.image[3 * (reflect(y + dy, 8) * 11 + reflect(x + dx, 11)) + c]) } }
                    #expect(Int(out.image[3 * (y * 11 + x) + c]) == (2 * sum + area) / (2 * area))
                }
            }
        }
    }

    @Test func gaussianBlurKeepsFlatImagesAndSmoothsNoise() {
        let policy = P(blur: .init(p: 1, blurLimit: .init(7, 7), kind: .gaussian))
        let flat = TestTile.solid(width: 16, height: 16, rgb: (37, 180, 255))
        #expect(flat.augmented(policy, seed: 1).0 == flat)
        let noisy = TestTile.random(width: 32, height: 32, seed: 6)
        let smooth = noisy.augmented(policy, seed: 1).0
        func roughness(_ t: TestTile) -> Int { (3..<t.image.count).reduce(0) { $0 + abs(Int(t.image[$1]) - Int(t.image[$1 - 3])) } }
        #expect(roughness(smooth) * 4 < roughness(noisy))
    }

    @Test func blurKernelSizesAreOddAndWithinTheLimit() {
        let policy = P(blur: .init(p: 1, blurLimit: .init(3, 9)))
        var sizes = Set<Int>()
        for seed in UInt64(0)..<60 {
            if case .blur(let k, _) = TestTile.solid(width: 4, height: 4, rgb: (0, 0, 0)).augmented(policy, seed: seed).1.applied.first {
                sizes.insert(k)
            }
        }
        #expect(sizes == [3, 5, 7, 9])
    }
}
