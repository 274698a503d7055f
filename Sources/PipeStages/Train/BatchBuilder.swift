import Dispatch
import Imaging
import NeuralNet

/// Fills preallocated NCHW batches from tile shards: each tile copied,
/// augmented online with its own generator, normalised through a lookup
/// table (`(v - mean) / std` per channel) and written in place, tiles split
/// over `threads` workers. Results do not depend on the thread count.
struct BatchBuilder {
    let side: Int
    let augmenter: Augmenter?
    let threads: Int
    /// `table[c * 256 + v]` = the normalised value of level `v` in channel `c`.
    private let table: [Float]

    init(side: Int, mean: [Float], std: [Float], augmenter: Augmenter?, threads: Int) {
        self.side = side
        self.augmenter = augmenter
        self.threads = max(1, threads)
        table = (0..<3).flatMap { c in (0..<256).map { (Float($0) - mean[c]) / std[c] } }
    }

    /// A tile to load, and its generator when it is augmented.
    struct Item: Sendable {
        var shard: TrainingShard
        var tile: Int
        var rng: AugmentationRNG?
    }

    /// Writes `items` into the first `items.count` images of `images`
    /// (`[n, 3, side, side]`) and `masks` (`[n, 1, side, side]`, 0 or 1).
    func fill(_ items: [Item], images: inout Tensor, masks: inout Tensor) {
        let plane = side * side, workers = min(threads, items.count)
        images.withUnsafeMutableBufferPointer { imageBuffer in
            masks.withUnsafeMutableBufferPointer { maskBuffer in
                let target = Unchecked((imageBuffer.baseAddress!, maskBuffer.baseAddress!))
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var rgb = [UInt8](repeating: 0, count: plane * 3), mask = [UInt8](repeating: 0, count: plane)
                    for i in (items.count * w / workers)..<(items.count * (w + 1) / workers) {
                        load(items[i], rgb: &rgb, mask: &mask)
                        write(rgb, mask, image: target.value.0 + i * 3 * plane, mask: target.value.1 + i * plane)
                    }
                }
            }
        }
    }

    private func load(_ item: Item, rgb: inout [UInt8], mask: inout [UInt8]) {
        rgb.withUnsafeMutableBufferPointer { rgbOut in
            mask.withUnsafeMutableBufferPointer { maskOut in
                item.shard.reader.withTile(item.tile) { tileRGB, tileMask in
                    rgbOut.baseAddress!.update(from: tileRGB.baseAddress!, count: tileRGB.count)
                    maskOut.baseAddress!.update(from: tileMask.baseAddress!, count: tileMask.count)
                }
            }
        }
        if let augmenter, var rng = item.rng {
            augmenter.apply(image: &rgb, mask: &mask, width: side, height: side, rng: &rng)
        }
    }

    private func write(_ rgb: [UInt8], _ mask: [UInt8], image: UnsafeMutablePointer<Float>, mask out: UnsafeMutablePointer<Float>) {
        let plane = side * side
        table.withUnsafeBufferPointer { table in
            rgb.withUnsafeBufferPointer { rgb in
                for p in 0..<plane {
                    image[p] = table[Int(rgb[p * 3])]
                    image[plane + p] = table[256 + Int(rgb[p * 3 + 1])]
                    image[2 * plane + p] = table[512 + Int(rgb[p * 3 + 2])]
                }
            }
        }
        mask.withUnsafeBufferPointer { mask in
            for p in 0..<plane { out[p] = mask[p] != 0 ? 1 : 0 }
        }
    }
}

/// Carries a value the caller has made safe to share across threads (disjoint writes).
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
