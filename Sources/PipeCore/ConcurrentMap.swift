import Foundation
import Synchronization

extension RandomAccessCollection where Index == Int, Self: Sendable {
    /// `transform` of every element, in order, computed on every core in a
    /// few contiguous slices (at least `minimumSlice` elements each), for
    /// per-element work too small to be a task of its own.
    public func concurrentMap<T: Sendable>(minimumSlice: Int = 64, _ transform: @Sendable (Element) -> T) -> [T] {
        let slices = Swift.min(ProcessInfo.processInfo.activeProcessorCount, Swift.max(1, count / Swift.max(1, minimumSlice)))
        guard slices > 1 else { return map(transform) }
        let perSlice = (count + slices - 1) / slices
        let results = Mutex([[T]](repeating: [], count: slices))
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let lower = startIndex + slice * perSlice
            let mapped = self[lower..<Swift.min(endIndex, lower + perSlice)].map(transform)
            results.withLock { $0[slice] = mapped }
        }
        return results.withLock { $0.flatMap { $0 } }
    }
}
