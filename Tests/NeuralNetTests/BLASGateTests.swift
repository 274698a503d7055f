import Dispatch
import Foundation
@testable import NeuralNet
import Synchronization
import Testing

/// Concurrent tasks' ops share OpenBLAS while its calls are single-threaded,
/// and an op that wants OpenBLAS's threads has it alone.
@Suite struct BLASGateTests {
    /// Runs `body(0)` and `body(1)` on two threads of their own (GCD's pool may
    /// be busy with other tests and run its iterations one after another).
    private func onTwoThreads(_ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchSemaphore(value: 0)
        for i in 0..<2 { Thread { body(i); done.signal() }.start() }
        done.wait(); done.wait()
    }

    private final class ThreadCount: Sendable { let value = Atomic<Int>(0) }

    /// What the two threads of a test share.
    private final class Shared: Sendable {
        /// The thread count the gate last set, recorded instead of set: OpenBLAS's
        /// is process-wide, and other tests' ops run alongside.
        let threads: ThreadCount
        let gate: BLASGate
        init() {
            let recorder = ThreadCount()
            threads = recorder
            gate = BLASGate { recorder.value.store($0, ordering: .sequentiallyConsistent) }
        }
        let signals = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let metOther = Mutex([false, false])
        let inside = Atomic<Bool>(false), overlapped = Atomic<Bool>(false)
    }

    @Test func singleThreadedBodiesRunSideBySide() {
        let shared = Shared()
        onTwoThreads { i in
            shared.gate.singleThreaded {
                #expect(shared.threads.value.load(ordering: .sequentiallyConsistent) == 1)
                shared.signals[i].signal()
                // Each waits inside the gate for the other to be inside too.
                let met = shared.signals[1 - i].wait(timeout: .now() + 10) == .success
                shared.metOther.withLock { $0[i] = met }
            }
        }
        #expect(shared.metOther.withLock { $0 } == [true, true])
    }

    @Test func aThreadedBodyRunsAloneAndLeavesOneThread() {
        let shared = Shared()
        onTwoThreads { i in
            if i == 0 {
                shared.gate.threaded(2) {
                    shared.inside.store(true, ordering: .sequentiallyConsistent)
                    shared.signals[0].signal()
                    #expect(shared.threads.value.load(ordering: .sequentiallyConsistent) == 2)
                    Thread.sleep(forTimeInterval: 0.2)
                    shared.inside.store(false, ordering: .sequentiallyConsistent)
                }
            } else {
                _ = shared.signals[0].wait(timeout: .now() + 10)
                shared.gate.singleThreaded {
                    if shared.inside.load(ordering: .sequentiallyConsistent) {
                        shared.overlapped.store(true, ordering: .sequentiallyConsistent)
                    }
                    #expect(shared.threads.value.load(ordering: .sequentiallyConsistent) == 1)
                }
            }
        }
        let sawOverlap = shared.overlapped.load(ordering: .sequentiallyConsistent)
        #expect(!sawOverlap)
    }

    /// Two trainings' worth of ops at once, in one process, each with its own
    /// thread count (one of them giving OpenBLAS two threads for a one-image
    /// batch), give what each gives alone.
    @Test func concurrentTasksGetTheirOwnResults() {
        let alone = [ParallelismTests.run(threads: 2), ParallelismTests.run(threads: 1), Self.oneImage()]
        let together = Mutex([[Tensor]](repeating: [], count: 3))
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let result = i == 0 ? ParallelismTests.run(threads: 2) : i == 1 ? ParallelismTests.run(threads: 1) : Self.oneImage()
            together.withLock { $0[i] = result }
        }
        let results = together.withLock { $0 }
        for i in 0..<3 { #expect(results[i] == alone[i]) }
    }

    private static func oneImage() -> [Tensor] {
        Compute.$current.withValue(Compute(threads: 2)) {
            var rng = SplitMix64(seed: 78)
            let x = Variable(rng.uniformTensor([1, 64, 32, 32], -1, 1), requiresGrad: true)
            let w = Variable(rng.uniformTensor([64, 64, 3, 3], -0.1, 0.1), requiresGrad: true)
            let y = conv2d(x, weight: w, options: Conv2dOptions(padding: 1))
            y.backward(seed: y.value)
            return [y.value, x.grad!, w.grad!]
        }
    }
}
