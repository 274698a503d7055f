#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// OpenBLAS's worker threads, which its pthread build starts when the
/// library loads and which spin (`sched_yield`) for a while waiting for work.
/// `stop` ends them as soon as `BLAS.Library` has loaded it; OpenBLAS starts
/// them again on its first threaded call, and `restart` does so before the
/// thread count goes above one (OpenBLAS would otherwise start the added
/// threads twice; going to one thread adds none, so `BLAS.threads` leaves
/// them stopped). Both do nothing on an OpenBLAS build without these entry points
/// (OpenMP, or not Linux).
enum IdleThreads {
    private static let stopped = Atomic<Bool>(false)
    private static let initialize = Mutex<Entry?>(nil)

    /// Ends the idle worker threads of the OpenBLAS loaded as `handle`.
    static func stop(_ handle: UnsafeMutableRawPointer) {
        guard let shutdown = entry("blas_thread_shutdown_", in: handle) else { return }
        initialize.withLock { $0 = entry("blas_thread_init", in: handle) }
        stopped.store(true, ordering: .sequentiallyConsistent)
        _ = shutdown()
    }

    /// Starts the worker threads again if `stop` ended them.
    static func restart() {
        guard stopped.exchange(false, ordering: .sequentiallyConsistent), let initialize = initialize.withLock({ $0 }) else {
            return
        }
        _ = initialize()
    }

    private typealias Entry = @convention(c) () -> Int32

    private static func entry(_ name: String, in handle: UnsafeMutableRawPointer) -> Entry? {
        #if canImport(Glibc)
        guard let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: Entry.self)
        #else
        return nil
        #endif
    }
}
