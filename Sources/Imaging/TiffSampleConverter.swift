/// Options for reading a TIFF that change the pixel values pipe returns.
public struct TiffReadOptions: Sendable, Equatable {
    /// The stored sample range mapped onto 0...255 (a window/level for high-dynamic-range slides),
    /// in the file's units (0...65535 for 16-bit data). nil: the whole range of the bit depth,
    /// so 8-bit data is returned unchanged and 16-bit data is scaled by `round(v / 257)`.
    public var window: ClosedRange<Int>?
    /// The value of every output sample of a tile or strip the file leaves out (offset or byte
    /// count 0, as scanners write empty regions). tifffile reads such tiles as 0.
    public var fill: UInt8

    public init(window: ClosedRange<Int>? = nil, fill: UInt8 = 0) {
        self.window = window
        self.fill = fill
    }
}

/// Turns stored samples (8 or 16 bits, native byte order as libtiff returns them) into 8-bit output
/// samples by pipe's one scaling rule, `TiffSampleConverter.scale`:
///
///     out = round((clamp(v, lo, hi) - lo) * 255 / (hi - lo))
///
/// with `lo...hi` the read window (`TiffReadOptions.window`), by default `0...(2^bits - 1)`. The same
/// rule maps 16-bit palette entries; MINISWHITE data is inverted after scaling (`255 - out`) so the
/// image reads as it is displayed. Extra samples (alpha) are dropped, never multiplied in.
struct TiffSampleConverter: Sendable {
    enum Kind: Sendable { case direct, inverted, palette }
    let kind: Kind
    /// 1 or 2.
    let bytesPerSample: Int
    /// Samples per pixel in a decoded chunk row.
    let storedSamples: Int
    /// Samples per pixel written: 1 (gray, or one plane of a planar image) or 3.
    let outSamples: Int
    /// Output value per stored value (`direct`, `inverted`), or the palette's red, green and blue
    /// output values one after another (`palette`, 3 x 2^bits entries).
    let table: [UInt8]

    init(kind: Kind, bits: Int, storedSamples: Int, outSamples: Int, window: ClosedRange<Int>?, colormap: [UInt16] = []) {
        self.kind = kind
        bytesPerSample = bits / 8
        self.storedSamples = storedSamples
        self.outSamples = outSamples
        let top = (1 << bits) - 1
        switch kind {
        case .direct, .inverted:
            let lo = window?.lowerBound ?? 0, hi = window?.upperBound ?? top
            table = (0...top).map { v in
                let out = Self.scale(v, lo: lo, hi: hi)
                return kind == .inverted ? 255 - out : out
            }
        case .palette:
            table = colormap.map { Self.scale(Int($0), lo: 0, hi: 65535) }
        }
    }

    /// pipe's scaling rule: `round((clamp(v, lo, hi) - lo) * 255 / (hi - lo))`, `lo < hi`.
    static func scale(_ v: Int, lo: Int, hi: Int) -> UInt8 {
        let range = hi - lo
        let clamped = min(max(v, lo), hi) - lo
        return UInt8((clamped * 510 + range) / (2 * range))
    }

    /// Converts `count` pixels starting at `src` into `dst` (`count * outSamples` bytes).
    func convert(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<UInt8>) {
        table.withUnsafeBufferPointer { t in
            if bytesPerSample == 2 {
                run(src.assumingMemoryBound(to: UInt16.self), count: count, table: t, into: dst)
            } else {
                run(src.assumingMemoryBound(to: UInt8.self), count: count, table: t, into: dst)
            }
        }
    }

    @inline(__always)
    private func run<T: FixedWidthInteger>(_ src: UnsafePointer<T>, count: Int, table t: UnsafeBufferPointer<UInt8>,
                                          into dst: UnsafeMutablePointer<UInt8>) {
        let n = storedSamples
        switch kind {
        case .direct, .inverted:
            if outSamples == 1 {
                for i in 0..<count { dst[i] = t[Int(src[i * n])] }
            } else {
                for i in 0..<count {
                    dst[i * 3] = t[Int(src[i * n])]
                    dst[i * 3 + 1] = t[Int(src[i * n + 1])]
                    dst[i * 3 + 2] = t[Int(src[i * n + 2])]
                }
            }
        case .palette:
            let entries = t.count / 3
            for i in 0..<count {
                let index = min(Int(src[i * n]), entries - 1)
                dst[i * 3] = t[index]
                dst[i * 3 + 1] = t[entries + index]
                dst[i * 3 + 2] = t[2 * entries + index]
            }
        }
    }
}
