import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Helper threads for NeuralNet's parallel loops that stay awake for a short
/// while after each loop, as OpenMP's threads do, instead of sleeping until
/// the next one wakes them.
///
/// A forward pass runs a few hundred such loops, most a fraction of a
/// millisecond long. `DispatchQueue.concurrentPerform` hands each one to a
/// worker that sleeps between them, so every loop waits for a sleeping
/// thread to be woken; on a virtual machine whose idle core the host has
/// parked, that wake costs tens of microseconds, more when the host is busy
/// (resnet18 at 64², batch 16: 0.046 s a batch with two threads, 0.057 s in
/// such phases, while one thread kept 0.086 s). Here a helper that finished a
/// loop watches for the next one for `spinNanoseconds`, giving its core to
/// any other runnable thread as it waits (`sched_yield`), and only then
/// sleeps.
///
/// Helpers do not spin while loops compete for them: when a loop was
/// refused in the last `calmNanoseconds` (tasks computing side by side, as
/// folds training in one process or validation beside inference), the cores
/// are busy with those tasks' own threads, and a spinning helper would only
/// take time from them.
///
/// Which thread runs an iteration is decided by whoever claims it first, so
/// callers give each iteration a fixed part of the work (results do not
/// depend on which thread ran it). One loop runs at a time: `run` returns
/// false without running anything when another holds the workers (a
/// concurrent task's op, or a loop nested in a loop's body), and the caller
/// runs its loop some other way.
final class SpinningWorkers: @unchecked Sendable {
    /// The process's workers; helper threads start as loops first need them.
    static let shared = SpinningWorkers()

    /// How long a helper keeps watching for the next loop before it sleeps.
    static let spinNanoseconds: UInt64 = 500_000
    /// How long after a refused loop helpers sleep at once instead of spinning.
    static let calmNanoseconds: UInt64 = 100_000_000
    /// Helper threads at most: one fewer than the cores. A loop may have more
    /// iterations (a thread count above the cores: the spec allows 256,
    /// `pipe model --threads` 1024); whoever is free claims the rest, so no
    /// more threads spin than there are cores to run them.
    static let maxHelpers = max(0, ProcessInfo.processInfo.activeProcessorCount - 1)
    /// Iterations a loop may have (they are counted in 16 bits of `state`).
    static let maxIterations = (1 << 16) - 1

    /// The published loop: generation (high 32 bits), iterations claimed
    /// (bits 16-31), iterations in all (bits 0-15).
    private let state = Atomic<UInt64>(0)
    /// Iterations of the current loop that have returned.
    private let finished = Atomic<Int>(0)
    /// Whether a caller holds the workers.
    private let busy = Atomic<Bool>(false)
    /// When a loop was last refused (`DispatchTime` uptime nanoseconds).
    private let lastRefusal = Atomic<UInt64>(0)
    /// Helpers asleep (or about to be) on `wake`.
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    /// Helper threads started (guarded by `wake`).
    private var helpers = 0
    /// The current loop's body: written by the caller holding `busy` before it
    /// publishes the loop, read by helpers only after they claimed an
    /// iteration of it (the caller clears it once every iteration returned).
    private var body: ((Int) -> Void)?

    /// Runs `body(i)` for every `i` in `0..<count`, each exactly once, on the
    /// calling thread and up to `count - 1` helpers (`maxHelpers` at most),
    /// and returns when all have returned. Returns false, running nothing,
    /// when another loop holds the workers or `count` is past `maxIterations`.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        precondition(count > 0, "a loop of \(count) iterations")
        guard count <= Self.maxIterations else { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            lastRefusal.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        startHelpers(upTo: min(count - 1, Self.maxHelpers))
        withoutActuallyEscaping(body) { body in
            self.body = body
            finished.store(0, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> 32) &+ 1) & 0xffff_ffff
            state.store(generation << 32 | UInt64(count), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            finished.add(runClaimed(generation), ordering: .releasing)
            var polls = 0
            while finished.load(ordering: .acquiring) < count {
                polls += 1
                if polls & 63 == 0 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// Claims and runs iterations of loop `generation` until none are left;
    /// returns how many it ran. Not inlined, so the reference it takes to the
    /// body ends before the caller counts the iterations finished.
    @inline(never)
    private func runClaimed(_ generation: UInt64) -> Int {
        guard let first = claim(generation), let body else { return 0 }
        body(first)
        var ran = 1
        while let i = claim(generation) {
            body(i)
            ran += 1
        }
        return ran
    }

    /// The next unclaimed iteration of loop `generation`, if it is still the
    /// published loop and has one left.
    private func claim(_ generation: UInt64) -> Int? {
        var s = state.load(ordering: .acquiring)
        while true {
            let claimed = Int(s >> 16 & 0xffff), count = Int(s & 0xffff)
            guard s >> 32 == generation, claimed < count else { return nil }
            let (exchanged, original) = state.compareExchange(
                expected: s, desired: s + (1 << 16), ordering: .acquiringAndReleasing)
            if exchanged { return claimed }
            s = original
        }
    }

    /// Helper threads started so far.
    var helperThreads: Int { wake.withLock { helpers } }

    private func startHelpers(upTo wanted: Int) {
        wake.lock()
        defer { wake.unlock() }
        // A helper looks for loops newer than the last one published before it
        // was started, so it takes part in the loop being started now.
        let seen = state.load(ordering: .acquiring) >> 32
        while helpers < wanted {
            helpers += 1
            let thread = Thread { [self] in helperLoop(after: seen) }
            thread.name = "pipe-compute-\(helpers)"
            thread.start()
        }
    }

    private func helperLoop(after generation: UInt64) {
        var seen = generation
        while true {
            seen = nextGeneration(after: seen)
            let ran = runClaimed(seen)
            if ran > 0 { finished.add(ran, ordering: .releasing) }
        }
    }

    /// Waits for a loop newer than `seen` and returns its generation: watching
    /// for `spinNanoseconds` (unless loops compete), then asleep on `wake`.
    private func nextGeneration(after seen: UInt64) -> UInt64 {
        let now = DispatchTime.now().uptimeNanoseconds
        let contended = now &- lastRefusal.load(ordering: .relaxed) < Self.calmNanoseconds
        let deadline = now + Self.spinNanoseconds
        var polls = 0
        while !contended {
            let generation = state.load(ordering: .acquiring) >> 32
            if generation != seen { return generation }
            polls += 1
            if polls & 63 == 0 {
                if DispatchTime.now().uptimeNanoseconds > deadline { break }
                sched_yield()
            }
        }
        wake.lock()
        defer { wake.unlock() }
        // Announce the sleep before the last look: a caller publishes its loop
        // before it reads `sleepers`, so either it sees this helper and wakes
        // it, or this look sees its loop.
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        while true {
            let generation = state.load(ordering: .sequentiallyConsistent) >> 32
            if generation != seen { return generation }
            wake.wait()
        }
    }
}
