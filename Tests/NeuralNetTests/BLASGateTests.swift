import Dispatch
import Foundation
@testable import NeuralNet
import Synchronization
import Testing

/// Concurrent tasks' ops share OpenBLAS while its calls are single-threaded,
/// and an op that wants OpenBLAS's threads has it alone.
@Suite struct BLASGateTests {
    @Test func singleThreadedBodiesRunSideBySide() {
        let gate = BLASGate(), arrived = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let metOther = Mutex([false, false])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            gate.singleThreaded {
                #expect(BLAS.threads == 1)
                arrived[i].signal()
                // Each waits inside the gate for the other to be inside too.
                let met = arrived[1 - i].wait(timeout: .now() + 10) == .success
                metOther.withLock { $0[i] = met }
            }
        }
        #expect(metOther.withLock { $0 } == [true, true])
    }

    @Test func aThreadedBodyRunsAloneAndLeavesOneThread() {
        let gate = BLASGate(), inside = Atomic<Bool>(false), overlapped = Atomic<Bool>(false)
        let started = DispatchSemaphore(value: 0)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                gate.threaded(2) {
                    inside.store(true, ordering: .sequentiallyConsistent)
                    started.signal()
                    #expect(BLAS.threads == 2)
                    Thread.sleep(forTimeInterval: 0.2)
                    inside.store(false, ordering: .sequentiallyConsistent)
                }
            } else {
                _ = started.wait(timeout: .now() + 10)
                gate.singleThreaded {
                    if inside.load(ordering: .sequentiallyConsistent) { overlapped.store(true, ordering: .sequentiallyConsistent) }
                    #expect(BLAS.threads == 1)
                }
            }
        }
        let sawOverlap = overlapped.load(ordering: .sequentiallyConsistent)
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
