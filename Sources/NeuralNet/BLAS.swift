import COpenBLAS

/// Thin typed wrappers over the OpenBLAS calls NeuralNet uses.
enum BLAS {
    /// Row-major `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` m x k and `op(B)` k x n.
    @inline(__always)
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS uses inside one call (global to the process).
    static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { if Int(openblas_get_num_threads()) != newValue { openblas_set_num_threads(Int32(newValue)) } }
    }

    /// The kernel family OpenBLAS chose when it loaded (e.g. "Haswell", "Zen", "Prescott").
    static var coreName: String { String(cString: openblas_get_corename()) }
}
