import Foundation
import NeuralNet

/// Committed fixtures of the NeuralNet tests (Tests/Fixtures/NeuralNet), made by
/// scripts/nn/smp/*.py; located from this file so no resource bundle is needed.
enum NNFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/NeuralNet")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The repository root (for scripts/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Little-endian bytes helpers for building malformed files by hand.
extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }

    /// A safetensors file with `header` (no padding) followed by `data`.
    static func safetensors(header: String, data: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.appendLE(UInt64(header.utf8.count))
        out.append(contentsOf: header.utf8)
        out.append(contentsOf: data)
        return out
    }
}
