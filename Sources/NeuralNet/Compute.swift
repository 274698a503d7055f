import Dispatch
import Foundation

/// How much of the machine NeuralNet's ops may use. Set per task with
/// `Compute.$current.withValue(Compute(threads: 2)) { ... }`.
///
/// Ops over a batch split the images into `threads` contiguous chunks run in
/// parallel, each calling single-threaded BLAS (so BLAS never oversubscribes
/// the cores); with fewer images than threads they run serially and give
/// BLAS all the threads. Reductions across images (weight gradients, batch
/// statistics) are summed in chunk order, so the same thread count gives
/// bit-identical results. Ops of concurrent tasks (folds training side by
/// side in one process) run at the same time (`BLASGate`).
public struct Compute: Sendable, Hashable {
    /// Worker threads for batch-parallel ops and for BLAS.
    public var threads: Int

    public init(threads: Int) { self.threads = max(1, threads) }

    /// The setting ops read; defaults to every active core.
    @TaskLocal public static var current = Compute(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Workers a batch of `n` images is split into.
    func workers(for n: Int) -> Int { max(1, min(threads, n)) }

    /// Runs `body(worker, images)` over contiguous chunks of `0..<n`, one per worker.
    func forEachChunk(_ n: Int, _ body: (Int, Range<Int>) -> Void) {
        // With one worker, OpenBLAS gets the threads; otherwise each worker calls
        // it single-threaded, alongside the ops of concurrent tasks (BLASGate).
        let t = workers(for: n)
        if t == 1 && threads > 1 {
            BLASGate.shared.threaded(threads) { body(0, 0..<n) }
            return
        }
        BLASGate.shared.singleThreaded {
            guard t > 1 else { return body(0, 0..<n) }
            Self.parallel(t) { w in body(w, (n * w / t)..<(n * (w + 1) / t)) }
        }
    }

    /// Runs `body(0) ... body(count - 1)` in parallel: on the spinning workers,
    /// or on Dispatch's when another loop holds them.
    static func parallel(_ count: Int, _ body: (Int) -> Void) {
        guard !SpinningWorkers.shared.run(count, body) else { return }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
        }
    }
}

extension Compute {
    /// Runs `body(range)` over contiguous chunks of `0..<count` in parallel when
    /// `count * costPerItem` is large enough to pay for it. For work whose result
    /// does not depend on how it is split (elementwise ops, per-channel loops).
    func parallelRanges(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let t = min(threads, count)
        guard t > 1, count * costPerItem >= 1 << 15 else { body(0..<count); return }
        Self.parallel(t) { w in body((count * w / t)..<(count * (w + 1) / t)) }
    }
}

/// Wraps a value whose cross-thread use the caller has made safe (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
