import Foundation
import Imaging
import NeuralNet

/// Tile-level scoring: a fold's model on each tile of a shard (batched, no
/// TTA), the probabilities quantised to bytes like the sliding-window
/// predictor's (`round(p * 255)`), and compared with the tile's mask.
struct TileScoring {
    let ensemble: FoldEnsemble
    let batch: Int
    let threads: Int

    /// Every tile's histogram, in shard order.
    func histograms(_ reader: TileShardReader, name: String) throws -> [DiceHistogram] {
        if let odd = reader.entries.first(where: { $0.reduce != ensemble.reduce }) {
            throw StageError("tiles of '\(name)' were cut at reduce \(odd.reduce), but the model was trained at reduce \(ensemble.reduce); validate with the tile stage the model was trained on")
        }
        var result: [DiceHistogram] = []
        result.reserveCapacity(reader.count)
        for first in Swift.stride(from: 0, to: reader.count, by: batch) {
            let indices = Array(first..<min(first + batch, reader.count))
            let maps = try probabilities(reader, indices: indices)
            for (index, map) in zip(indices, maps) {
                var histogram = DiceHistogram()
                reader.withTile(index) { _, mask in map.withUnsafeBufferPointer { histogram.add(probabilities: $0, truth: mask) } }
                result.append(histogram)
            }
        }
        return result
    }

    /// The probability bytes (`size * size` each) of the tiles at `indices`.
    func probabilities(_ reader: TileShardReader, indices: [Int]) throws -> [[UInt8]] {
        guard !indices.isEmpty else { return [] }
        let side = reader.size, plane = side * side
        let images = ensemble.normalise(indices.map { index in reader.withTile(index) { rgb, _ in Array(rgb) } }, side: side)
        let output: Tensor
        do {
            output = try Compute.$current.withValue(Compute(threads: threads)) {
                try ensemble.probabilities(images, tta: [.none], average: .probability)
            }
        } catch let error as NeuralNetError {
            throw StageError("tiles of \(side) x \(side) do not suit the model: \(error.message)")
        }
        return output.withUnsafeBufferPointer { values in
            indices.indices.map { n in
                (0..<plane).map { UInt8(max(0, min(255, (values[n * plane + $0] * 255).rounded()))) }
            }
        }
    }
}
