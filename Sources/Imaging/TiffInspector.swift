import CTIFF
import Foundation

/// How to read one level: its directories (one per plane for page-per-channel files) and the
/// sample arrangement inside a decoded tile or strip.
struct TiffLevelPlan: Sendable {
    var level: TiffLevel
    /// One address per plane read: 1 for contiguous, one per colour plane otherwise.
    var planes: [TiffLevel.Address]
    /// libtiff sample index per plane (planar files read planes 0..2 of one directory).
    var sampleIndex: [Int]
    /// Samples per pixel in a decoded chunk (after JPEG YCbCr -> RGB conversion).
    var chunkSamples: Int
    /// 1 for gray data (replicated to RGB on read), 3 for colour.
    var colorSamples: Int
    /// Decode JPEG YCbCr to RGB inside libtiff.
    var jpegToRGB: Bool
    /// Formats outside the fast path (palette, 16-bit, min-is-white, uncompressed YCbCr, ...) decoded
    /// by libtiff's RGBA interface (TIFFReadRGBATile/Strip): 4 bytes a pixel, rows bottom-up.
    var rgbaFallback = false
}

/// Reads a TIFF's directory structure into `TiffInfo` plus per-level read plans.
enum TiffInspector {
    static func inspect(_ handle: TiffHandle) throws(ImagingError) -> (TiffInfo, [TiffLevelPlan]) {
        let pages = max(1, handle.pageCount())
        try handle.select(.page(0))
        let first = try handle.directoryFields()
        let layout = try layoutOf(first, pages: pages, handle: handle)
        var plans = [try plan(first, address: .page(0), layout: layout, handle: handle)]
        let channelSubIFDs = layout == .pagePerChannel ? try subIFDsOfChannelPages(first, handle: handle) : []
        for (index, address) in try reducedLevelAddresses(first, pages: pages, handle: handle).enumerated() {
            try handle.select(address)
            let fields = try handle.directoryFields()
            guard fields.width < plans.last!.level.width else { continue }
            var p: TiffLevelPlan?
            if fields.samplesPerPixel == 1, channelSubIFDs.allSatisfy({ $0.indices.contains(index) }), !channelSubIFDs.isEmpty {
                // one page per channel, each with its own SubIFD pyramid (OME CYX)
                p = try? plan(fields, address: address, layout: .pagePerChannel, handle: handle,
                              channelPlanes: channelSubIFDs.map { .subIFD($0[index]) })
            } else {
                p = try? plan(fields, address: address, layout: layout == .pagePerChannel ? .contiguous : layout, handle: handle)
            }
            guard let p, p.colorSamples == plans[0].colorSamples else { continue }
            plans.append(p)
        }
        let photometric: String
        switch first.photometric {
        case Int(PHOTOMETRIC_YCBCR): photometric = "ycbcr"
        case Int(PHOTOMETRIC_RGB): photometric = first.samplesPerPixel >= 4 ? "rgba" : "rgb"
        default: photometric = layout == .pagePerChannel ? "rgb" : "gray"
        }
        let info = TiffInfo(path: handle.path, width: first.width, height: first.height,
                            channels: plans[0].colorSamples, samplesPerPixel: first.samplesPerPixel,
                            layout: layout, photometric: photometric, bigTIFF: handle.isBigTIFF,
                            pages: pages, levels: plans.map(\.level))
        return (info, plans)
    }

    private static func layoutOf(_ f: TiffDirectoryFields, pages: Int, handle: TiffHandle) throws(ImagingError) -> TiffLayout {
        if f.samplesPerPixel == 1, f.photometric == Int(PHOTOMETRIC_MINISBLACK), pages >= 3 {
            var same = true
            for page in 1...2 {
                try handle.select(.page(page))
                let g = try handle.directoryFields()
                same = same && g.width == f.width && g.height == f.height && g.samplesPerPixel == 1 && !g.reducedResolution
            }
            try handle.select(.page(0))
            if same { return .pagePerChannel }
        }
        return f.planarSeparate && f.samplesPerPixel > 1 ? .planar : .contiguous
    }

    /// SubIFDs of page 0 when present, else later pages (whose sizes decide which are levels: the
    /// same-size pages of a page-per-channel file are not).
    private static func reducedLevelAddresses(_ f: TiffDirectoryFields, pages: Int,
                                              handle: TiffHandle) throws(ImagingError) -> [TiffLevel.Address] {
        if !f.subIFDs.isEmpty { return f.subIFDs.prefix(32).map { .subIFD($0) } }
        return pages > 1 ? (1..<min(pages, 33)).map { .page($0) } : []
    }

    /// The SubIFD offsets of pages 0, 1 and 2 of a page-per-channel file, or [] when page 0 has none.
    private static func subIFDsOfChannelPages(_ first: TiffDirectoryFields, handle: TiffHandle) throws(ImagingError) -> [[UInt64]] {
        guard !first.subIFDs.isEmpty else { return [] }
        var all = [first.subIFDs]
        for page in 1...2 {
            try handle.select(.page(page))
            all.append(try handle.directoryFields().subIFDs)
        }
        return all
    }

    /// How to read the directory `f` at `address`; a page-per-channel level reads `channelPlanes`
    /// (pages 0, 1, 2 unless given).
    static func plan(_ f: TiffDirectoryFields, address: TiffLevel.Address, layout: TiffLayout,
                     handle: TiffHandle, channelPlanes: [TiffLevel.Address] = [.page(0), .page(1), .page(2)]) throws(ImagingError) -> TiffLevelPlan {
        let fast = try checkSupported(f, path: handle.path)
        let level = TiffLevel(address: address, width: f.width, height: f.height, tiled: f.tiled,
                              chunkWidth: f.chunkWidth, chunkHeight: f.chunkHeight,
                              compression: TiffCompression(code: f.compression), predictor: f.predictor)
        if !fast {
            var message = [CChar](repeating: 0, count: 1024)
            guard TIFFRGBAImageOK(handle.tiff, &message) == 1 else {
                let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw ImagingError(.unsupported, "\(f.bitsPerSample)-bit photometric \(f.photometric) data is not supported (\(text)); convert to 8-bit RGB", path: handle.path)
            }
            return TiffLevelPlan(level: level, planes: [address], sampleIndex: [0], chunkSamples: 4, colorSamples: 3,
                                 jpegToRGB: false, rgbaFallback: true)
        }
        let jpegToRGB = f.photometric == Int(PHOTOMETRIC_YCBCR)
        let colour = jpegToRGB || f.photometric == Int(PHOTOMETRIC_RGB) || layout == .pagePerChannel
        let colorSamples = colour ? 3 : 1
        switch layout {
        case .pagePerChannel:
            return TiffLevelPlan(level: level, planes: channelPlanes, sampleIndex: [0, 0, 0],
                                 chunkSamples: 1, colorSamples: 3, jpegToRGB: false)
        case .planar:
            let n = colour ? 3 : 1
            return TiffLevelPlan(level: level, planes: Array(repeating: address, count: n), sampleIndex: Array(0..<n),
                                 chunkSamples: 1, colorSamples: colorSamples, jpegToRGB: false)
        case .contiguous:
            return TiffLevelPlan(level: level, planes: [address], sampleIndex: [0],
                                 chunkSamples: jpegToRGB ? 3 : f.samplesPerPixel,
                                 colorSamples: colorSamples, jpegToRGB: jpegToRGB)
        }
    }

    /// Throws for files no path can read; returns whether the fast path (8-bit RGB, gray, JPEG YCbCr)
    /// applies, else the RGBA fallback is tried.
    private static func checkSupported(_ f: TiffDirectoryFields, path: String) throws(ImagingError) -> Bool {
        guard f.sampleFormat == 1 || f.sampleFormat == 4 else {
            throw ImagingError(.unsupported, "sample format \(f.sampleFormat) (signed or floating point) is not supported; convert to 8-bit unsigned RGB", path: path)
        }
        var fast = f.bitsPerSample == 8
        switch f.photometric {
        case Int(PHOTOMETRIC_MINISBLACK), Int(PHOTOMETRIC_RGB): break
        case Int(PHOTOMETRIC_YCBCR) where f.compression == UInt16(COMPRESSION_JPEG): break
        default: fast = false
        }
        if f.photometric == Int(PHOTOMETRIC_RGB), f.samplesPerPixel < 3 {
            throw ImagingError(.corrupt, "RGB image with \(f.samplesPerPixel) samples per pixel", path: path)
        }
        guard TIFFIsCODECConfigured(f.compression) == 1, f.compression != UInt16(COMPRESSION_OJPEG) else {
            throw ImagingError(.unsupported, "compression \(f.compression) is not supported by this libtiff; re-save with LZW, deflate or JPEG", path: path)
        }
        let samples = f.planarSeparate ? 1 : max(f.samplesPerPixel, 3)
        let (chunkBytes, overflow) = (f.chunkWidth * samples).multipliedReportingOverflow(by: f.tiled ? f.chunkHeight : 1)
        guard f.chunkWidth <= 1 << 20, f.samplesPerPixel <= 1 << 10, !overflow, chunkBytes <= 1 << 28 else {
            throw ImagingError(.tooLarge, "tile of \(f.chunkWidth) x \(f.chunkHeight) is too large to decode", path: path)
        }
        if f.tiled {
            guard f.chunkWidth >= 16, f.chunkHeight >= 16 else {   // TIFF requires multiples of 16
                throw ImagingError(.unsupported, "tile of \(f.chunkWidth) x \(f.chunkHeight) is below TIFF's 16 x 16 minimum; re-save with standard tiles", path: path)
            }
            try checkPlausible(f, path: path)   // strips over 32 MiB are read by scanline instead
        }
        if !fast, !f.tiled, f.chunkWidth * f.chunkHeight * 4 > scanlineThreshold {
            throw ImagingError(.unsupported, "\(f.bitsPerSample)-bit photometric \(f.photometric) data in strips of \(f.chunkHeight) rows is too large to convert; re-save as tiled 8-bit RGB", path: path)
        }
        return fast
    }

    /// Refuses a tile that decodes to more bytes than the whole file
    /// could hold under its compression's largest expansion: a damaged header then costs an error,
    /// not a decode buffer far larger than any valid reading of the file. Schemes without a useful
    /// bound (zstd, lzma, webp, others) keep only the absolute cap on chunk size.
    private static func checkPlausible(_ f: TiffDirectoryFields, path: String) throws(ImagingError) {
        let storedSamples = f.planarSeparate ? 1 : f.samplesPerPixel
        let decodedBytes = (f.chunkWidth * f.chunkHeight * storedSamples * min(f.bitsPerSample, 64) + 7) / 8   // each factor is capped above
        let ratio: Int
        switch TiffCompression(code: f.compression) {
        case .none: ratio = 1
        case .packbits: ratio = 64      // 128 bytes from a 2-byte run
        case .deflate: ratio = 1100     // deflate's limit is about 1032:1
        case .lzw: ratio = 3000         // a 12-bit code yields at most ~4000 bytes
        case .jpeg: ratio = 1100        // at least 2 bits per 8x8 block of samples
        default: return
        }
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size < Int.max / ratio else { return }
        let slack = 1 << 16
        guard decodedBytes <= size * ratio + slack else {
            throw ImagingError(.corrupt, "tile or strip of \(f.chunkWidth) x \(f.chunkHeight) pixels needs \(decodedBytes) bytes, more than this \(size)-byte file can hold with \(TiffCompression(code: f.compression).rawValue) compression; the file is damaged", path: path)
        }
    }
}
