import Foundation
import Imaging
import NeuralNet
@testable import PipeStages
import TestSupport
import Testing

@Test func everyTTATransformIsUndoneExactly() throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 90, height: 70, seed: 3).write(dir.file("a.tiff"))
    let models = ensemble([PixelModel()])
    let options = InferenceOptions(window: 32, overlap: 8, blend: .linear, skipEmpty: false)
    let plain = try predictMap(SlidingWindowPredictor(ensemble: models, options: options), path).map
    var lists = TTATransform.allCases.map { [$0] }
    lists.append(TTATransform.allCases)
    for tta in lists {
        var withTTA = options
        withTTA.tta = tta
        let map = try predictMap(SlidingWindowPredictor(ensemble: models, options: withTTA), path).map
        let worst = zip(map, plain).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 1 && zip(map, plain).filter { $0 != $1 }.count * 1000 <= map.count, "tta \(tta): differs by \(worst)")
    }
    // At the tensor level the inversion is exact to rounding.
    let x = models.normalise([TestImage(width: 32, height: 32, seed: 5).pixels], side: 32)
    let reference = try models.probabilities(x, tta: [.none], average: .logit)
    for transform in TTATransform.allCases {
        #expect(try models.probabilities(x, tta: [transform], average: .logit).maxAbsDifference(reference) == 0)
        #expect(transform.inverse.apply(transform.apply(x)) == x)
    }
}

@Test func rotationsTurnCounterClockwiseLikeNumpy() throws {
    // [[0 1 2], [3 4 5]]; np.rot90 -> [[2 5], [1 4], [0 3]]
    let x = Tensor(shape: [1, 1, 2, 3], storage: [0, 1, 2, 3, 4, 5])
    #expect(TTATransform.rot90.apply(x) == Tensor(shape: [1, 1, 3, 2], storage: [2, 5, 1, 4, 0, 3]))
    #expect(TTATransform.rot270.apply(x) == Tensor(shape: [1, 1, 3, 2], storage: [3, 0, 4, 1, 5, 2]))
    #expect(TTATransform.rot180.apply(x).storage == [5, 4, 3, 2, 1, 0])
    #expect(TTATransform.transpose.apply(x).storage == [0, 3, 1, 4, 2, 5])
    #expect(TTATransform.flipH.apply(x).storage == [2, 1, 0, 5, 4, 3])
    #expect(TTATransform.flipV.apply(x).storage == [3, 4, 5, 0, 1, 2])
    #expect(throws: StageError.self) { try TTATransform.list("flip_h,rot45") }
    #expect(try TTATransform.list("flip_h, rot180") == [.flipH, .rot180])
}

@Test(arguments: WindowBlend.allCases)
func aConstantModelGivesAConstantMapWithoutSeams(blend: WindowBlend) throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 101, height: 77, seed: 4).write(dir.file("a.tiff"))
    let options = InferenceOptions(window: 16, overlap: 5, blend: blend, tta: [.none, .rot90], batch: 3, skipEmpty: false, bandRows: 10)
    let (map, report) = try predictMap(SlidingWindowPredictor(ensemble: ensemble([ConstantModel(value: 0.7)], reduce: 2),
                                                            options: options), path)
    let expected = UInt8((255 / (1 + exp(-0.7))).rounded())
    #expect(map.count == 101 * 77)
    #expect(map.allSatisfy { $0 == expected }, "values \(Set(map))")
    #expect(report.windowsPredicted == 5 * 4 && report.windowsSkipped == 0)
}

/// The whole reduced image through the per-pixel model at once, then
/// NeuralNet's bilinear upsampling (PyTorch's) to full resolution.
private func directPrediction(_ path: String, ensemble: FoldEnsemble) throws -> [UInt8] {
    let reader = try TiffReader(path: path)
    let r = ensemble.reduce
    let (rw, rh) = ((reader.width + r - 1) / r, (reader.height + r - 1) / r)
    let rgb = try reader.readWindow(x: 0, y: 0, width: rw * r, height: rh * r, reduce: r)
    var x = Tensor(shape: [1, 3, rh, rw])
    for c in 0..<3 { for p in 0..<(rw * rh) { x.storage[c * rw * rh + p] = (Float(rgb[p * 3 + c]) - ensemble.mean[c]) / ensemble.std[c] } }
    let probabilities = try ensemble.models[0].logits(x).storage.map { 1 / (1 + exp(-$0)) }
    let up = upsampleBilinear(Variable(Tensor(shape: [1, 1, rh, rw], storage: probabilities)), size: Size2d(rh * r, rw * r)).value
    var map: [UInt8] = []
    for y in 0..<reader.height { for x in 0..<reader.width { map.append(UInt8((up.storage[y * rw * r + x] * 255).rounded())) } }
    return map
}

@Test(arguments: WindowBlend.allCases)
func slidingWindowsAgreeWithOneWholeImagePrediction(blend: WindowBlend) throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 97, height: 83, seed: 6).write(dir.file("a.tiff"))
    for reduce in [1, 3] {
        let models = ensemble([PixelModel()], reduce: reduce)
        let options = InferenceOptions(window: 16, overlap: 4, blend: blend, batch: 4, skipEmpty: false, bandRows: 7)
        let map = try predictMap(SlidingWindowPredictor(ensemble: models, options: options), path).map
        let direct = try directPrediction(path, ensemble: models)
        let worst = zip(map, direct).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(map.count == direct.count && worst <= 1, "reduce \(reduce): differs by \(worst)")
    }
}

@Test func memoryIsBoundedByOneWindowOfRows() throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 40, height: 3000, seed: 7).write(dir.file("tall.tiff"))
    for blend in WindowBlend.allCases {
        let options = InferenceOptions(window: 32, overlap: 8, blend: blend, skipEmpty: false, bandRows: 64)
        let (map, report) = try predictMap(SlidingWindowPredictor(ensemble: ensemble([ConstantModel(value: 1)], reduce: 2),
                                                                options: options), path)
        #expect(map.count == 40 * 3000)
        #expect(report.peakBandRows <= 32, "\(blend): held \(report.peakBandRows) reduced rows of 1500")
    }
}

@Test func windowsWithoutTissueAreSkippedAndPredictZero() throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 64, height: 64, value: 255).write(dir.file("white.tiff"))
    let options = InferenceOptions(window: 32, skipEmpty: true)
    let (map, report) = try predictMap(SlidingWindowPredictor(ensemble: ensemble([ConstantModel(value: 3)]), options: options), path)
    #expect(report.windowsPredicted == 0 && report.windowsSkipped == 4)
    #expect(map.allSatisfy { $0 == 0 } && report.meanProbability == 0)
}

@Test func windowAxesCoverEveryPixelWithPositiveWeight() {
    for (length, window, overlap) in [(100, 16, 5), (16, 16, 0), (10, 16, 4), (33, 16, 0), (1000, 256, 64)] {
        for blend in WindowBlend.allCases {
            let axis = WindowAxis(length: length, window: window, overlap: overlap, blend: blend)
            #expect(axis.starts.first == 0 && (axis.starts.last! + window >= length))
            for p in 0..<length {
                let total = axis.starts.indices.reduce(Float(0)) { sum, i in
                    let t = p - axis.starts[i]
                    return sum + ((0..<window).contains(t) ? axis.weights[i][t] : 0)
                }
                #expect(total > 0, "\(blend) \(length)/\(window)/\(overlap): pixel \(p) has no weight")
                if blend == .core { #expect(total == 1) }
            }
        }
    }
}

@Test func badOptionsAndImagesAreNamedErrors() throws {
    let dir = try TemporaryDirectory("infer")
    defer { dir.remove() }
    let path = try TestImage(width: 40, height: 40).write(dir.file("a.tiff"))
    let models = ensemble([ConstantModel(value: 0)])
    let overlap = SlidingWindowPredictor(ensemble: models, options: InferenceOptions(window: 16, overlap: 16))
    #expect(throws: StageError.self) { try overlap.predict(image: path, progress: nil) { _, _, _ in } }
    let missing = SlidingWindowPredictor(ensemble: models, options: InferenceOptions())
    let error = try #require(throws: StageError.self) { try missing.predict(image: dir.file("nope.tiff").path, progress: nil) { _, _, _ in } }
    #expect(error.message.contains("nope.tiff"))
}
