import Foundation

/// Runs blocking work items on a bounded number of threads of their own
/// (network waits never occupy Swift's cooperative pool).
enum ParallelWork {
    /// Calls `body` once per index in `0..<count`, at most `width` at a time;
    /// returns when all have finished. Results and errors are the caller's to collect.
    static func forEach(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let threads = max(1, min(width, count))
        if threads == 1 {
            for index in 0..<count { body(index) }
            return
        }
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                while let index = next.take(below: count) { body(index) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }

    /// Maps `items` in parallel, keeping order.
    static func map<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) -> R) -> [R] {
        let results = Locked<[Int: R]>([:])
        forEach(items.count, width: width) { index in
            let value = body(items[index])
            results.withLock { $0[index] = value }
        }
        return results.withLock { all in (0..<items.count).map { all[$0]! } }
    }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
