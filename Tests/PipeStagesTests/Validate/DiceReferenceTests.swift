import Foundation
@testable import PipeStages
import TestSupport
import Testing

/// The numpy reference of scripts/validate/dice_reference.py, committed as
/// Tests/Fixtures/Validate/dice_sweep.json.
struct DiceReference {
    struct Image { var name: String; var probabilities: [UInt8]; var truth: [UInt8]; var dice: [Double] }
    var thresholds: [Double]
    var images: [Image]
    var mean: [Double]
    var best: Double

    init(_ url: URL) throws {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        thresholds = (root["thresholds"] as! [NSNumber]).map(\.doubleValue)
        mean = (root["mean"] as! [NSNumber]).map(\.doubleValue)
        best = (root["best"] as! NSNumber).doubleValue
        images = (root["images"] as! [[String: Any]]).map { image in
            Image(name: image["name"] as! String, probabilities: (image["probabilities"] as! [NSNumber]).map(\.uint8Value),
                  truth: (image["truth"] as! [NSNumber]).map(\.uint8Value), dice: (image["dice"] as! [NSNumber]).map(\.doubleValue))
        }
    }

    static let committed = PipeRepository.root.appendingPathComponent("Tests/Fixtures/Validate/dice_sweep.json")
}

@Test func diceAndSweepMatchTheNumpyReference() throws {
    let reference = try DiceReference(DiceReference.committed)
    // The fixture keeps the sweep it was made with (0.1...0.9), the default before issue 15.
    #expect(reference.thresholds == DiceSweep.range(from: 0.1, through: 0.9, step: 0.05))
    var sweep = DiceSweep(thresholds: reference.thresholds)
    for image in reference.images {
        var histogram = DiceHistogram()
        histogram.add(probabilities: image.probabilities, truth: image.truth)
        let dice = histogram.dice(thresholds: reference.thresholds)
        for (mine, theirs) in zip(dice, image.dice) { #expect(abs(mine - theirs) < 1e-12, "\(image.name): \(mine) vs \(theirs)") }
        sweep.add(histogram)
    }
    for (mine, theirs) in zip(sweep.mean, reference.mean) { #expect(abs(mine - theirs) < 1e-12) }
    #expect(sweep.best == reference.best)
}

@Test func diceIsOneWhenBothAreEmptyAndPoolsAcrossMerges() {
    var empty = DiceHistogram()
    empty.add(probabilities: [0, 10, 20], truth: [0, 0, 0])
    #expect(empty.dice(threshold: 0.5) == 1)
    #expect(empty.dice(threshold: 0.01) == 0)
    var a = DiceHistogram(), b = DiceHistogram(), both = DiceHistogram()
    a.add(probabilities: [255, 0], truth: [1, 1])
    b.add(probabilities: [255, 255], truth: [0, 1])
    both.add(probabilities: [255, 0, 255, 255], truth: [1, 1, 0, 1])
    a.merge(b)
    #expect(a == both)
    #expect(abs(both.dice(threshold: 0.5) - 2.0 * 2 / 6) < 1e-12)
}

@Test(.enabled(if: pythonHas("numpy")))
func numpyReferenceFixtureIsCurrent() throws {
    let dir = try TemporaryDirectory("dice-reference")
    defer { dir.remove() }
    let script = PipeRepository.root.appendingPathComponent("scripts/validate/dice_reference.py").path
    let result = try runProcess("python3", [script, dir.file("out.json").path])
    #expect(result.status == 0, "\(result.stderr)")
    let fresh = try DiceReference(dir.file("out.json")), committed = try DiceReference(DiceReference.committed)
    #expect(fresh.mean == committed.mean && fresh.best == committed.best && fresh.images.map(\.dice) == committed.images.map(\.dice))
}
