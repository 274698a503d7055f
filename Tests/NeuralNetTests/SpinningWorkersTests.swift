import Dispatch
import Foundation
@testable import NeuralNet
import Synchronization
import Testing

/// The helper threads behind NeuralNet's parallel loops run every iteration
/// exactly once, whether they are spinning, asleep, or held by another loop.
@Suite struct SpinningWorkersTests {
    /// Per-iteration run counts; iteration `i` writes only slot `i`.
    private final class Counts: @unchecked Sendable {
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        init() { slots.initialize(repeating: 0) }
        deinit { slots.deallocate() }
        /// True when slots `0..<count` each ran once and the rest never; resets them.
        func ranOnce(_ count: Int) -> Bool {
            defer { slots.update(repeating: 0) }
            return slots.indices.allSatisfy { slots[$0] == ($0 < count ? 1 : 0) }
        }
    }

    @Test(.enabled(if: SpinningWorkers.maxHelpers > 0, "one core: no helper threads"))
    func everyIterationRunsOnceAndHelpersTakeSome() {
        let workers = SpinningWorkers(), counts = Counts()
        let caller = pthread_self()
        let onHelper = Atomic<Int>(0)
        var wrong = 0
        for loop in 0..<3000 {
            let count = 1 + loop % 6
            let ran = workers.run(count) { i in
                counts.slots[i] += 1
                if pthread_equal(pthread_self(), caller) == 0 { onHelper.add(1, ordering: .relaxed) }
                let until = DispatchTime.now().uptimeNanoseconds + 5_000
                while DispatchTime.now().uptimeNanoseconds < until {}
            }
            #expect(ran)
            if !counts.ranOnce(count) { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(onHelper.load(ordering: .relaxed) > 0, "no iteration ran on a helper thread")
    }

    @Test(.enabled(if: SpinningWorkers.maxHelpers > 0, "one core: no helper threads"))
    func helpersAsleepAreWokenForTheNextLoop() {
        let workers = SpinningWorkers()
        for _ in 0..<5 {
            // Each iteration waits (up to a second) for the other to start, so
            // both run on one thread only when no helper came.
            let started = Atomic<Int>(0)
            let threads = Mutex<[pthread_t]>([])
            #expect(workers.run(2) { _ in
                threads.withLock { $0.append(pthread_self()) }
                started.add(1, ordering: .sequentiallyConsistent)
                let until = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
                while started.load(ordering: .sequentiallyConsistent) < 2, DispatchTime.now().uptimeNanoseconds < until {}
            })
            let ran = threads.withLock { $0 }
            #expect(ran.count == 2 && pthread_equal(ran[0], ran[1]) == 0, "a helper asleep was not woken")
            // Well past the spin: the helpers are asleep when the next loop comes.
            Thread.sleep(forTimeInterval: Double(SpinningWorkers.spinNanoseconds) / 1e9 * 20)
        }
    }

    @Test func aLoopInsideALoopIsRefusedAndComputeRunsItOnDispatch() {
        let workers = SpinningWorkers(), outer = Counts(), inner = Counts()
        let refused = Atomic<Int>(0)
        #expect(workers.run(2) { i in
            if !workers.run(2, { _ in }) { refused.add(1, ordering: .relaxed) }
            outer.slots[i] += 1
        })
        #expect(refused.load(ordering: .relaxed) == 2)
        #expect(outer.ranOnce(2))
        // Compute's loops nest through the shared workers: the inner ones fall back.
        Compute.parallel(2) { i in
            Compute.parallel(3) { j in inner.slots[i * 3 + j] += 1 }
        }
        #expect(inner.ranOnce(6))
    }

    /// A thread count far above the cores (the CLI allows 1024) starts no
    /// more helpers than cores less one, and a loop longer than the workers
    /// count runs on Dispatch.
    @Test func manyMoreIterationsThanCoresStartNoMoreHelpersThanCores() {
        let workers = SpinningWorkers(), counts = Counts()
        #expect(workers.run(64) { counts.slots[$0] += 1 })
        #expect(counts.ranOnce(64))
        #expect(workers.helperThreads == min(63, SpinningWorkers.maxHelpers))
        let long = SpinningWorkers.maxIterations + 1
        let slots = UnsafeMutableBufferPointer<Int>.allocate(capacity: long)
        defer { slots.deallocate() }
        slots.initialize(repeating: 0)
        #expect(!workers.run(long) { _ in })
        Compute.parallel(long) { slots[$0] += 1 }
        #expect(slots.allSatisfy { $0 == 1 })
    }

    @Test func concurrentCallersEachRunEveryIterationOnce() {
        let counts = [Counts(), Counts()]
        let wrong = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        for t in 0..<2 {
            Thread {
                for loop in 0..<2000 {
                    let count = 2 + loop % 3
                    Compute.parallel(count) { counts[t].slots[$0] += 1 }
                    if !counts[t].ranOnce(count) { wrong.add(1, ordering: .relaxed) }
                }
                done.signal()
            }.start()
        }
        done.wait(); done.wait()
        #expect(wrong.load(ordering: .relaxed) == 0)
    }
}
