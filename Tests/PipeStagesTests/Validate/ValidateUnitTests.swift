import Foundation
import Imaging
import PipeCore
@testable import PipeStages
import TestSupport
import Testing

@Test func overlayColoursHitsMissesAndFalsePositives() {
    // 7 x 5 grey image; truth a 4 x 3 block at x 0...3, prediction the same block one pixel to the right.
    let rgb = [UInt8](repeating: 100, count: 105)
    var truth = [UInt8](repeating: 0, count: 35), predicted = truth
    for y in 1...3 { for x in 0...3 { truth[y * 7 + x] = 1; predicted[y * 7 + x + 1] = 1 } }
    let image = OverlayRenderer.render(rgb: rgb, truth: truth, predicted: predicted, width: 7, height: 5)
    func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.pixels[(y * 7 + x) * 3..<(y * 7 + x) * 3 + 3]) }
    #expect(pixel(6, 0) == [100, 100, 100])                  // background untouched
    #expect(pixel(0, 2) == OverlayRenderer.truthColour)      // truth edge, opaque green
    #expect(pixel(4, 2) == OverlayRenderer.predictionColour) // prediction edge, opaque magenta
    #expect(pixel(2, 2) == [178, 178, 178])                  // interior hit: white blended half over grey
}

@Test func validateNamesAnInputThatIsNotATrainOutput() async throws {
    let dir = try TemporaryDirectory("validate-errors")
    defer { dir.remove() }
    for folder in ["train", "tiles", "data"] { try FileManager.default.createDirectory(at: dir.file(folder), withIntermediateDirectories: true) }
    let error = await #expect(throws: StageError.self) {
        _ = try await runStage(ValidateStage(), name: "validate",
                               config: ["from": .string("train"), "tiles": .string("tiles"), "images": .string("data.train")],
                               inputs: ["train": dir.file("train"), "tiles": dir.file("tiles"), "data.train": dir.file("data")], in: dir)
    }
    #expect(error?.message.contains("'train' holds no <fold>/model.json") == true, "\(error?.message ?? "")")
    #expect(error?.location != nil)
}

@Test func sweepPicksTheLowestThresholdOnATie() {
    var sweep = DiceSweep(thresholds: [0.3, 0.5, 0.7])
    sweep.append([0.5, 0.8, 0.8])
    sweep.append([0.7, 0.6, 0.6])
    #expect(sweep.mean == [0.6, 0.7, 0.7])
    #expect(sweep.best == 0.5)
    #expect(abs(meanAndDeviation([0.6, 0.8]).std - 0.1) < 1e-12)   // population std, as np.std
}
