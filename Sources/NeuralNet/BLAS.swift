import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Thin typed wrappers over the OpenBLAS calls NeuralNet uses. OpenBLAS is
/// loaded on the first of them (`Library`), not when the process starts.
enum BLAS {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` m x k and `op(B)` k x n.
    @inline(__always)
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let noTrans = Int32(PIPE_CBLAS_NO_TRANS), trans = Int32(PIPE_CBLAS_TRANS)
        Library.loaded.sgemm(Int32(PIPE_CBLAS_ROW_MAJOR), transA ? trans : noTrans, transB ? trans : noTrans,
                             Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS uses inside one call (global to the process).
    static var threads: Int {
        get { Int(Library.loaded.getThreads()) }
        set {
            let library = Library.loaded
            // Going single-threaded adds no threads: restarting the stopped ones would only have them spin idle.
            if newValue > 1 { IdleThreads.restart() }
            if Int(library.getThreads()) != newValue { library.setThreads(Int32(newValue)) }
        }
    }

    /// The kernel family OpenBLAS chose when it loaded (e.g. "Haswell", "Zen", "Prescott").
    static var coreName: String { Library.loaded.coreName().map { String(cString: $0) } ?? "" }

    /// OpenBLAS's build configuration string.
    static var configuration: String { Library.loaded.configuration().map { String(cString: $0) } ?? "" }

    /// The OpenBLAS entry points, resolved once. Loading the library costs a
    /// process about 16,000 symbol bindings and starts its worker threads,
    /// which `load` ends again at once (`IdleThreads`): the first threaded
    /// call starts them. A missing library stops the process with a message
    /// naming the package, as the dynamic loader did when pipe linked it.
    struct Library: @unchecked Sendable {
        let sgemm: pipe_cblas_sgemm_fn
        let getThreads: pipe_openblas_get_int_fn
        let setThreads: pipe_openblas_set_int_fn
        let coreName: pipe_openblas_get_text_fn
        let configuration: pipe_openblas_get_text_fn

        static let loaded = load()

        private static func load() -> Library {
            #if canImport(Glibc)
            let names = ["libopenblas.so.0", "libopenblas.so"]
            guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_GLOBAL) }).first else {
                fatalError("cannot load OpenBLAS (\(names.joined(separator: " or "))): "
                           + "\(dlerror().map { String(cString: $0) } ?? "not found"); install libopenblas0")
            }
            func entry<T>(_ name: String, as type: T.Type) -> T {
                guard let symbol = dlsym(handle, name) else { fatalError("OpenBLAS lacks '\(name)'") }
                return unsafeBitCast(symbol, to: type)
            }
            let library = Library(
                sgemm: entry("cblas_sgemm", as: pipe_cblas_sgemm_fn.self),
                getThreads: entry("openblas_get_num_threads", as: pipe_openblas_get_int_fn.self),
                setThreads: entry("openblas_set_num_threads", as: pipe_openblas_set_int_fn.self),
                coreName: entry("openblas_get_corename", as: pipe_openblas_get_text_fn.self),
                configuration: entry("openblas_get_config", as: pipe_openblas_get_text_fn.self))
            IdleThreads.stop(handle)
            return library
            #else
            fatalError("pipe loads OpenBLAS with dlopen, which needs Glibc")
            #endif
        }
    }
}
