import Foundation
import Imaging
import Testing
import TestSupport

/// Cross-checks the deterministic transforms against numpy (scripts/augment/reference.py).
@Suite struct AugmentationNumpyTests {
    typealias P = AugmentationPolicy

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/augment/reference.py").path

    @Test(.enabled(if: pythonHas("numpy")))
    func deterministicTransformsMatchNumpy() throws {
        let (w, h) = (23, 14)
        let tile = TestTile.random(width: w, height: h, seed: 31)
        let dir = try TemporaryDirectory("augment-numpy")
        defer { dir.remove() }
        try Data(tile.image).write(to: dir.file("in.raw"))
        let result = try runProcess("python3", [Self.script, dir.file("in.raw").path, "\(w)", "\(h)", dir.file("out").path,
                                                "--gamma", "0.83", "--brightness", "0.07", "--contrast", "-0.31", "--blur", "5"])
        #expect(result.status == 0, "\(result.stderr)")
        func reference(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: dir.file("out/\(name).raw"))) }

        #expect(tile.augmented(P(flip: .init(p: 1, vertical: false)), seed: 1).0.image == (try reference("fliplr")))
        #expect(tile.augmented(P(flip: .init(p: 1, horizontal: false)), seed: 1).0.image == (try reference("flipud")))
        #expect(tile.augmented(P(transpose: .init(p: 1)), seed: 1).0.image == (try reference("transpose")))
        let rotate = P(rotate90: .init(p: 1))
        for k in 1...3 {
            #expect(tile.augmented(rotate, seed: seedGivingQuarterTurns(k, policy: rotate)).0.image == (try reference("rot90_\(k)")))
        }
        let gamma = P(gamma: .init(p: 1, gammaLimit: .init(83, 83)))
        #expect(tile.augmented(gamma, seed: 1).0.image == (try reference("gamma")))
        let bc = P(brightnessContrast: .init(p: 1, brightnessLimit: .init(0.07, 0.07), contrastLimit: .init(-0.31, -0.31)))
        #expect(tile.augmented(bc, seed: 1).0.image == (try reference("brightness_contrast")))
        let blur = P(blur: .init(p: 1, blurLimit: .init(5, 5)))
        #expect(tile.augmented(blur, seed: 1).0.image == (try reference("blur")))
    }
}
