import Foundation
import NeuralNet

/// The models of a prediction (one per fold), averaged, with the input
/// conventions they were trained with: tile `size` and `reduce` (a window of
/// `size * reduce` full-resolution pixels per `size` model pixels) and the
/// per-channel `mean` / `std` in 0...255 units (inputs are `(x - mean) / std`).
public final class FoldEnsemble {
    public let models: [any SegmentationNetwork]
    public let size: Int
    public let reduce: Int
    public let mean: [Float]
    public let std: [Float]
    /// Where each model came from (for messages and metrics); empty for models built in memory.
    public internal(set) var sources: [String] = []

    /// An ensemble of models already in memory (tests, custom models).
    public init(models: [any SegmentationNetwork], size: Int, reduce: Int, mean: [Float], std: [Float]) {
        precondition(!models.isEmpty && size > 0 && reduce > 0 && mean.count == 3 && std.count == 3,
                     "an ensemble needs a model, a positive size and reduce, and three means and stds")
        self.models = models
        self.size = size
        self.reduce = reduce
        self.mean = mean
        self.std = std
    }

    /// The normalised batch `[n, 3, side, side]` of interleaved RGB windows `side` x `side`.
    func normalise(_ windows: [[UInt8]], side: Int) -> Tensor {
        var x = Tensor(shape: [windows.count, 3, side, side])
        let plane = side * side
        let scale = std.map { 1 / $0 }
        x.withUnsafeMutableBufferPointer { out in
            for (n, rgb) in windows.enumerated() {
                for c in 0..<3 {
                    let base = (n * 3 + c) * plane, m = mean[c], s = scale[c]
                    for p in 0..<plane { out[base + p] = (Float(rgb[p * 3 + c]) - m) * s }
                }
            }
        }
        return x
    }

    /// Probabilities `[n, 1, h, w]` of a normalised batch: every TTA transform
    /// applied to the batch, every model run on it, the transform undone on
    /// the logits, then averaged as `average` says.
    func probabilities(_ images: Tensor, tta: [TTATransform], average: PredictionAverage) throws -> Tensor {
        var total: Tensor? = nil
        for transform in tta {
            let input = transform.apply(images)
            for model in models {
                var y = transform.inverse.apply(try model.logits(input))
                guard y.shape.count == 4, y.shape[1] == 1, y.shape[0] == images.shape[0],
                      y.shape[2] == images.shape[2], y.shape[3] == images.shape[3] else {
                    throw StageError("a model returned logits of shape \(y.shape) for input \(images.shape); expected one channel at the input size")
                }
                if average == .probability { y.withUnsafeMutableBufferPointer { Self.sigmoid($0) } }
                if total == nil { total = y } else { total!.add(y) }
            }
        }
        var result = total!
        let scale = 1 / Float(tta.count * models.count)
        result.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] *= scale }
            if average == .logit { Self.sigmoid(values) }
        }
        return result
    }

    static func sigmoid(_ values: UnsafeMutableBufferPointer<Float>) {
        for i in values.indices { values[i] = 1 / (1 + exp(-values[i])) }
    }
}
