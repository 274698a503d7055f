import Foundation
import Imaging
import Synchronization

/// Reads the windows of one window row, several at once, and applies the
/// tissue filter: a window without tissue comes back nil (it predicts 0).
struct WindowSource: Sendable {
    let reader: TiffReader
    /// Window side in model pixels; `side * reduce` full-resolution pixels are read.
    let side: Int
    let reduce: Int
    let threads: Int
    let filter: TileFilter?

    /// The windows whose reduced left edges are `xs`, top `y`; nil for a window without tissue.
    func read(xs: [Int], y: Int) throws -> [[UInt8]?] {
        let slots = Mutex([[UInt8]?](repeating: nil, count: xs.count))
        let failure = Mutex<String?>(nil)
        let workers = max(1, min(threads, xs.count))
        let readOne: @Sendable (Int) -> Void = { [self] k in
            do {
                let rgb = try reader.readWindow(x: xs[k] * reduce, y: y * reduce, width: side * reduce, height: side * reduce,
                                                reduce: reduce, threads: workers == 1 ? threads : 1)
                let keep = filter.map { filter in rgb.withUnsafeBufferPointer { filter.evaluate($0).keep } } ?? true
                if keep { slots.withLock { $0[k] = rgb } }
            } catch {
                failure.withLock { $0 = $0 ?? "\(error)" }
            }
        }
        if workers == 1 {
            for k in xs.indices { readOne(k) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for k in stride(from: w, to: xs.count, by: workers) { readOne(k) }
            }
        }
        if let error = failure.withLock({ $0 }) { throw StageError(error) }
        return slots.withLock { $0 }
    }
}
