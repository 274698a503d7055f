import Foundation

/// The process's OpenBLAS: which kernels it runs, how many threads, and the
/// one-time fix for builds that mis-detect the CPU (DESIGN §7).
public enum OpenBLAS {
    /// The kernel family OpenBLAS chose when it loaded ("Haswell", "Zen", "SkylakeX", "Prescott", ...).
    public static var coreName: String { BLAS.coreName }

    /// OpenBLAS's build configuration string.
    public static var configuration: String { BLAS.configuration }

    /// Threads one BLAS call may use (process-wide).
    public static var threads: Int {
        get { BLAS.threads }
        set { BLAS.threads = max(1, newValue) }
    }

    /// Environment variable set on the one re-exec, so it never loops.
    public static let reexecMarker = "PIPE_OPENBLAS_REEXEC"

    /// Makes OpenBLAS run the best kernels this CPU supports. OpenBLAS picks
    /// kernels when the library loads, so when the loaded choice is weaker than
    /// what /proc/cpuinfo's flags allow (Debian's 0.3.21 takes some AVX-512
    /// Xeons for "Prescott"), this sets `OPENBLAS_CORETYPE` and re-executes the
    /// program once with the same arguments. It never picks a kernel family
    /// whose instructions the CPU lacks, leaves an explicit user setting of
    /// `OPENBLAS_CORETYPE` alone, and does nothing off Linux. Call it first
    /// thing in `main`, before any work; returns when no re-exec is needed.
    public static func ensureProperKernels(arguments: [String] = CommandLine.arguments) {
        guard let wanted = coreTypeToForce(loaded: coreName, cpuinfo: CPUInfo.text,
                                           environment: ProcessInfo.processInfo.environment) else { return }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        setenv(reexecMarker, "\(coreName)->\(wanted)", 1)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", argv)
        // exec failed: carry on with the kernels we have.
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// The `OPENBLAS_CORETYPE` to re-execute with, or nil to keep the kernels
    /// OpenBLAS `loaded`: nil when the user set `OPENBLAS_CORETYPE`, when the
    /// re-exec already happened, or when the CPU allows nothing stronger.
    public static func coreTypeToForce(loaded: String, cpuinfo: String, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[reexecMarker] == nil,
              let wanted = recommendedCoreType(cpuinfo: cpuinfo),
              kernelLevel(wanted) > kernelLevel(loaded) else { return nil }
        return wanted
    }

    /// The strongest OpenBLAS kernel family the CPU described by `cpuinfo`
    /// (the text of /proc/cpuinfo) can run, or nil when none beats the default.
    public static func recommendedCoreType(cpuinfo: String) -> String? {
        let flags = CPUInfo.flags(cpuinfo)
        let vendor = cpuinfo.split(separator: "\n").first { $0.hasPrefix("vendor_id") }.map(String.init) ?? ""
        let amd = vendor.contains("AuthenticAMD") || vendor.contains("HygonGenuine")
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"]) && !amd {
            return "SkylakeX"
        }
        if flags.isSuperset(of: ["avx2", "fma"]) { return amd ? "Zen" : "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        return nil
    }

    /// A coarse order of OpenBLAS x86-64 kernel families by instruction set:
    /// 4 AVX-512, 3 AVX2+FMA, 2 AVX, 1 SSE-era or unknown.
    public static func kernelLevel(_ coreName: String) -> Int {
        switch coreName.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 4
        case "haswell", "zen", "excavator": return 3
        case "sandybridge", "bulldozer", "piledriver", "steamroller": return 2
        default: return 1
        }
    }

    /// Row-major single-precision `C = alpha * A * B + beta * C`
    /// (A m x k, B k x n, C m x n, contiguous), on the current OpenBLAS threads.
    public static func sgemm(m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>,
                             b: UnsafePointer<Float>, beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        BLAS.sgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: k, b: b, ldb: n, beta: beta, c: c, ldc: n)
    }
}
