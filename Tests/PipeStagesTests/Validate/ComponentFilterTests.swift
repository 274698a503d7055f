@testable import PipeStages
import TestSupport
import Testing

/// The straightforward reference: label 8-connected components with a flood
/// fill over the whole array, clear those under `minArea`.
func floodFillFilter(_ image: [UInt8], width: Int, height: Int, minArea: Int) -> [UInt8] {
    var label = [Int](repeating: -1, count: image.count), out = [UInt8](repeating: 0, count: image.count)
    var next = 0
    for start in image.indices where image[start] != 0 && label[start] < 0 {
        var stack = [start], members: [Int] = []
        label[start] = next
        while let p = stack.popLast() {
            members.append(p)
            let x = p % width, y = p / width
            for dy in -1...1 { for dx in -1...1 {
                let nx = x + dx, ny = y + dy
                guard (0..<width).contains(nx), (0..<height).contains(ny) else { continue }
                let q = ny * width + nx
                if image[q] != 0 && label[q] < 0 { label[q] = next; stack.append(q) }
            } }
        }
        if members.count >= minArea { for p in members { out[p] = 1 } }
        next += 1
    }
    return out
}

func streamingFilter(_ image: [UInt8], width: Int, height: Int, minArea: Int) -> [UInt8] {
    var filter = ComponentFilter(width: width, minArea: minArea)
    image.withUnsafeBufferPointer { all in
        for y in 0..<height { filter.scan(row: UnsafeBufferPointer(rebasing: all[(y * width)..<((y + 1) * width)])) }
    }
    filter.finishScan()
    var out = [UInt8](repeating: 0, count: image.count)
    image.withUnsafeBufferPointer { all in
        out.withUnsafeMutableBufferPointer { target in
            for y in 0..<height {
                filter.filter(row: UnsafeBufferPointer(rebasing: all[(y * width)..<((y + 1) * width)]),
                              into: UnsafeMutableBufferPointer(rebasing: target[(y * width)..<((y + 1) * width)]))
            }
        }
    }
    return out
}

@Test(arguments: [(UInt64(1), 0.3, 5), (2, 0.45, 12), (3, 0.55, 30), (4, 0.2, 1), (5, 0.5, 0)])
func minAreaRemovesExactlyTheSmallComponents(seed: UInt64, density: Double, minArea: Int) {
    var rng = SeededRandom(seed: seed)
    let width = 41, height = 29
    let image = (0..<(width * height)).map { _ in Double(rng.next() % 1000) / 1000 < density ? UInt8(1 + rng.next() % 200) : 0 }
    let expected = floodFillFilter(image, width: width, height: height, minArea: minArea)
    #expect(streamingFilter(image, width: width, height: height, minArea: minArea) == expected)
}

@Test func diagonalNeighboursAreOneComponent() {
    // Two diagonal runs (U-shapes merging late) are one 8-connected component of 6 pixels.
    let image: [UInt8] = [1, 0, 0, 1,
                          1, 0, 0, 1,
                          0, 1, 1, 0,
                          0, 0, 0, 0]
    #expect(streamingFilter(image, width: 4, height: 4, minArea: 6) == image)
    #expect(streamingFilter(image, width: 4, height: 4, minArea: 7) == [UInt8](repeating: 0, count: 16))
}
