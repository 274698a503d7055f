import Foundation

/// Reusable scratch buffers for the ops' column matrices and per-worker
/// partial sums, so a training step does not fault in fresh pages for them
/// on every call. Buffers are handed out whole and returned after use;
/// contents are unspecified on loan (callers overwrite or zero what they read).
final class Workspace: @unchecked Sendable {
    static let shared = Workspace()
    private let lock = NSLock()
    private var free: [[Float]] = []
    /// Buffers kept for reuse; beyond this the largest are dropped.
    private let keep = 8

    /// Runs `body` with a buffer of at least `count` floats, zeroed when `zeroed`.
    func with<R>(count: Int, zeroed: Bool = false, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        var buffer = take(count)
        defer { give(buffer) }
        return buffer.withUnsafeMutableBufferPointer { b in
            if zeroed { b.baseAddress!.update(repeating: 0, count: count) }
            return body(b.baseAddress!)
        }
    }

    private func take(_ count: Int) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        // The smallest free buffer that fits.
        if let i = free.indices.filter({ free[$0].count >= count }).min(by: { free[$0].count < free[$1].count }) {
            return free.remove(at: i)
        }
        return [Float](repeating: 0, count: max(count, 1))
    }

    private func give(_ buffer: [Float]) {
        lock.lock()
        defer { lock.unlock() }
        free.append(buffer)
        if free.count > keep {
            free.sort { $0.count < $1.count }
            free.removeLast()
        }
    }
}
