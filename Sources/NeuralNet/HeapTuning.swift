#if canImport(Glibc)
import Glibc
#endif

/// How the C heap treats the large, short-lived buffers of a forward or
/// backward pass. By default glibc maps each buffer over 128 KB with mmap and
/// unmaps it when freed, so every step page-faults its activations in again
/// (about a tenth of an EfficientNet inference step here); after this call,
/// buffers up to 32 MB come from the heap and freed memory stays there for the
/// next step. Measured with `pipe-bench model`: efficientnet-b0 U-Net
/// inference 4.6 -> 5.9 images/s, peak RSS 348 -> 372 MB.
public enum HeapTuning {
    /// Call once, first thing, in a process that trains or runs models. No-op off glibc.
    public static func keepFreedBuffersForReuse() {
        #if canImport(Glibc)
        // mallopt is glibc's (malloc.h, which the Glibc module does not import); its
        // parameter numbers are M_TRIM_THRESHOLD -1, M_TOP_PAD -2, M_MMAP_THRESHOLD -3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 32 << 20)
        _ = mallopt(-1, Int32.max)
        _ = mallopt(-2, 64 << 20)
        #endif
    }
}
