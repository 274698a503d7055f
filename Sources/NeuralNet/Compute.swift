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
/// bit-identical results.
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
        let t = workers(for: n)
        if t == 1 {
            BLAS.threads = threads
            body(0, 0..<n)
            return
        }
        BLAS.threads = 1
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: t) { w in
                box.value(w, (n * w / t)..<(n * (w + 1) / t))
            }
        }
    }
}

/// Wraps a value whose cross-thread use the caller has made safe (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
