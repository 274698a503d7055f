import Foundation

/// Lets the ops of concurrent tasks (two folds training in one process) call
/// OpenBLAS at the same time. OpenBLAS's thread count is process-wide, so ops
/// whose calls are single-threaded share the library (the count stays 1
/// while any of them runs), and an op that wants OpenBLAS's own threads has
/// it alone. A waiting op of that kind holds back new single-threaded ones,
/// so it cannot be starved.
final class BLASGate: @unchecked Sendable {
    static let shared = BLASGate()
    private let condition = NSCondition()
    private var singleThreaded = 0, threaded = false, threadedWaiting = 0
    /// Sets OpenBLAS's thread count (tests pass a recorder: the real count is
    /// process-wide, and changing it races the sgemm calls of other tests' ops).
    private let setThreads: @Sendable (Int) -> Void

    init(setThreads: @escaping @Sendable (Int) -> Void = { BLAS.threads = $0 }) { self.setThreads = setThreads }

    /// Runs `body` with OpenBLAS single-threaded, alongside other such bodies.
    func singleThreaded<R>(_ body: () -> R) -> R {
        condition.lock()
        while threaded || threadedWaiting > 0 { condition.wait() }
        if singleThreaded == 0 { setThreads(1) }
        singleThreaded += 1
        condition.unlock()
        defer {
            condition.lock()
            singleThreaded -= 1
            if singleThreaded == 0 { condition.broadcast() }
            condition.unlock()
        }
        return body()
    }

    /// Runs `body` alone, with OpenBLAS on `threads` threads.
    func threaded<R>(_ threads: Int, _ body: () -> R) -> R {
        condition.lock()
        threadedWaiting += 1
        while threaded || singleThreaded > 0 { condition.wait() }
        threadedWaiting -= 1
        threaded = true
        setThreads(threads)
        condition.unlock()
        defer {
            condition.lock()
            threaded = false
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }
}
