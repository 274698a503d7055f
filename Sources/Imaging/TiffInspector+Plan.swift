import CTIFF
import Foundation

/// How to read one level: its directories (one per plane for page-per-channel files), the sample
/// arrangement inside a decoded tile or strip, and how its samples become 8-bit output.
struct TiffLevelPlan: Sendable {
    var level: TiffLevel
    /// One address per plane read: 1 for contiguous, one per colour plane otherwise.
    var planes: [TiffLevel.Address]
    /// libtiff sample index per plane (planar files read planes 0..2 of one directory).
    var sampleIndex: [Int]
    /// Samples per pixel handed on from a decoded chunk row (after conversion to 8 bits).
    var chunkSamples: Int
    /// Bytes per pixel in a decoded chunk, before conversion.
    var storedPixelBytes: Int
    /// 1 for gray data (replicated to RGB on read), 3 for colour.
    var colorSamples: Int
    /// Decode JPEG YCbCr to RGB inside libtiff.
    var jpegToRGB: Bool
    /// Formats outside pipe's own unpacking (uncompressed YCbCr, CMYK, CIELab, 1/2/4-bit samples, ...)
    /// decoded by libtiff's RGBA interface (TIFFReadRGBATile/Strip): 4 bytes a pixel, rows bottom-up.
    var rgbaFallback = false
    /// Maps stored samples to 8-bit output (16-bit data, MINISWHITE, palettes, a read window); nil
    /// when the stored 8-bit samples are the output.
    var converter: TiffSampleConverter? = nil
    /// Tiles decoded by libjpeg-turbo instead of libtiff: a JPEG whose tag says RGB but whose stream
    /// carries a JFIF marker holds YCbCr, converted as libjpeg-turbo (and tifffile) convert it.
    var jfifUnderRGBTag = false
    /// The directory's JPEGTables, for `jfifUnderRGBTag`.
    var jpegTables: [UInt8] = []
}

/// How a directory's samples are decoded.
enum TiffDecoding: Equatable {
    /// libtiff decodes, pipe unpacks 8- or 16-bit samples.
    case samples(TiffSampleConverter.Kind)
    /// JPEG YCbCr converted to RGB by libtiff.
    case jpegYCbCr
    /// libtiff's RGBA interface.
    case rgba
}

extension TiffInspector {
    /// How to read the directory `f` at `address`; a page-per-channel level reads `channelPlanes`
    /// (pages 0, 1, 2 unless given).
    static func plan(_ f: TiffDirectoryFields, address: TiffLevel.Address, layout: TiffLayout, handle: TiffHandle,
                     options: TiffReadOptions,
                     channelPlanes: [TiffLevel.Address] = [.page(0), .page(1), .page(2)]) throws(ImagingError) -> TiffLevelPlan {
        let decoding = try decodingOf(f, path: handle.path)
        let level = TiffLevel(address: address, width: f.width, height: f.height, tiled: f.tiled,
                              chunkWidth: f.chunkWidth, chunkHeight: f.chunkHeight,
                              compression: TiffCompression(code: f.compression), predictor: f.predictor)
        switch decoding {
        case .rgba:
            var message = [CChar](repeating: 0, count: 1024)
            guard TIFFRGBAImageOK(handle.tiff, &message) == 1 else {
                let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw ImagingError(.unsupported, "\(f.bitsPerSample)-bit \(photometricName(f.photometric, samples: f.samplesPerPixel)) data is not supported (\(text)); convert to 8-bit RGB", path: handle.path)
            }
            return TiffLevelPlan(level: level, planes: [address], sampleIndex: [0], chunkSamples: 4, storedPixelBytes: 4,
                                 colorSamples: 3, jpegToRGB: false, rgbaFallback: true)
        case .jpegYCbCr:
            var p = TiffLevelPlan(level: level, planes: [address], sampleIndex: [0], chunkSamples: 3, storedPixelBytes: 3,
                                  colorSamples: 3, jpegToRGB: true)
            p.converter = options.window.map { TiffSampleConverter(kind: .direct, bits: 8, storedSamples: 3, outSamples: 3, window: $0) }
            return p
        case .samples(let kind):
            return try samplesPlan(f, kind: kind, level: level, address: address, layout: layout, handle: handle,
                                   options: options, channelPlanes: channelPlanes)
        }
    }

    private static func samplesPlan(_ f: TiffDirectoryFields, kind: TiffSampleConverter.Kind, level: TiffLevel,
                                    address: TiffLevel.Address, layout: TiffLayout, handle: TiffHandle,
                                    options: TiffReadOptions, channelPlanes: [TiffLevel.Address]) throws(ImagingError) -> TiffLevelPlan {
        let bytes = f.bitsPerSample / 8
        let colour = f.photometric == Int(PHOTOMETRIC_RGB) || layout == .pagePerChannel || kind == .palette
        var planes = [address], sampleIndex = [0], stored = f.samplesPerPixel
        switch layout {
        case .pagePerChannel:
            planes = channelPlanes; sampleIndex = [0, 0, 0]; stored = 1
        case .planar:
            let n = colour ? 3 : 1
            planes = Array(repeating: address, count: n); sampleIndex = Array(0..<n); stored = 1
        case .contiguous: break
        }
        let out = colour && layout == .contiguous ? 3 : 1
        var plan = TiffLevelPlan(level: level, planes: planes, sampleIndex: sampleIndex, chunkSamples: stored,
                                 storedPixelBytes: stored * bytes, colorSamples: colour ? 3 : 1, jpegToRGB: false)
        if bytes != 1 || kind != .direct || options.window != nil {
            var colormap: [UInt16] = []
            if kind == .palette {
                guard let map = handle.colormap(bits: f.bitsPerSample) else {
                    throw ImagingError(.corrupt, "palette image has no colour map", path: handle.path)
                }
                colormap = map
            }
            plan.converter = TiffSampleConverter(kind: kind, bits: f.bitsPerSample, storedSamples: stored, outSamples: out,
                                                 window: kind == .palette ? nil : options.window, colormap: colormap)
            plan.chunkSamples = out
        }
        if f.compression == UInt16(COMPRESSION_JPEG), f.photometric == Int(PHOTOMETRIC_RGB), layout == .contiguous,
           (try? firstChunkIsJFIF(handle, tiled: f.tiled)) == true {
            // libjpeg-turbo decodes these chunks to 8-bit RGB; only a read window still maps values
            plan.jfifUnderRGBTag = true
            plan.jpegTables = handle.jpegTables()
            plan.storedPixelBytes = 3
            plan.chunkSamples = 3
            plan.converter = options.window.map { TiffSampleConverter(kind: .direct, bits: 8, storedSamples: 3, outSamples: 3, window: $0) }
        }
        return plan
    }

    /// tifffile's test: the first tile or strip's bytes 6..<10 spell JFIF (an APP0 marker right after SOI).
    private static func firstChunkIsJFIF(_ handle: TiffHandle, tiled: Bool) throws(ImagingError) -> Bool {
        guard !handle.isAbsent(0) else { return false }
        let head = try handle.rawChunk(0, tiled: tiled, limit: 10)
        return head.count == 10 && Array(head[6..<10]) == Array("JFIF".utf8)
    }

    /// Throws for files no path can read (naming what is wrong); otherwise how to decode them.
    static func decodingOf(_ f: TiffDirectoryFields, path: String) throws(ImagingError) -> TiffDecoding {
        guard f.sampleFormat == 1 || f.sampleFormat == 4 else {
            throw ImagingError(.unsupported, "sample format \(f.sampleFormat) (\(f.sampleFormat == 3 ? "floating point" : "signed integer")) is not supported; convert to 8- or 16-bit unsigned", path: path)
        }
        if f.photometric == Int(PHOTOMETRIC_RGB), f.samplesPerPixel < 3 {
            throw ImagingError(.corrupt, "RGB image with \(f.samplesPerPixel) samples per pixel", path: path)
        }
        guard f.compression != UInt16(COMPRESSION_OJPEG) else {
            throw ImagingError(.unsupported, "old-style JPEG (compression 6, before TIFF 6.0's technote 2) is not supported by pipe; re-save with JPEG (7), LZW or deflate", path: path)
        }
        guard TIFFIsCODECConfigured(f.compression) == 1 else {
            throw ImagingError(.unsupported, "compression \(f.compression) is not available in this build of libtiff; re-save with LZW, deflate or JPEG", path: path)
        }
        let bits = max(f.bitsPerSample, 8) / 8
        let samples = f.planarSeparate ? 1 : max(f.samplesPerPixel, 3)
        let (chunkBytes, overflow) = (f.chunkWidth * samples * min(bits, 8)).multipliedReportingOverflow(by: f.tiled ? f.chunkHeight : 1)
        guard f.chunkWidth <= 1 << 20, f.samplesPerPixel <= 1 << 10, !overflow, chunkBytes <= 1 << 28 else {
            throw ImagingError(.tooLarge, "tile of \(f.chunkWidth) x \(f.chunkHeight) is too large to decode", path: path)
        }
        if f.tiled {
            guard f.chunkWidth >= 16, f.chunkHeight >= 16 else {   // TIFF requires multiples of 16
                throw ImagingError(.unsupported, "tile of \(f.chunkWidth) x \(f.chunkHeight) is below TIFF's 16 x 16 minimum; re-save with standard tiles", path: path)
            }
            try checkPlausible(f, path: path)   // strips over 32 MiB are read by scanline instead
        }
        let depth = f.bitsPerSample == 8 || f.bitsPerSample == 16
        let decoding: TiffDecoding
        switch f.photometric {
        case Int(PHOTOMETRIC_MINISBLACK) where depth: decoding = .samples(.direct)
        case Int(PHOTOMETRIC_RGB) where depth: decoding = .samples(.direct)
        case Int(PHOTOMETRIC_MINISWHITE) where depth: decoding = .samples(.inverted)
        case Int(PHOTOMETRIC_PALETTE) where depth && f.samplesPerPixel == 1: decoding = .samples(.palette)
        case Int(PHOTOMETRIC_YCBCR) where f.compression == UInt16(COMPRESSION_JPEG) && f.bitsPerSample == 8: decoding = .jpegYCbCr
        default: decoding = .rgba
        }
        if decoding == .rgba, !f.tiled, f.chunkWidth * f.chunkHeight * 4 > scanlineThreshold {
            throw ImagingError(.unsupported, "\(f.bitsPerSample)-bit \(photometricName(f.photometric, samples: f.samplesPerPixel)) data in strips of \(f.chunkHeight) rows is too large to convert; re-save as tiled 8-bit RGB", path: path)
        }
        return decoding
    }

    /// The photometric interpretation as `image info` names it.
    static func photometricName(_ code: Int, samples: Int) -> String {
        switch code {
        case Int(PHOTOMETRIC_MINISWHITE): "miniswhite"
        case Int(PHOTOMETRIC_MINISBLACK): "gray"
        case Int(PHOTOMETRIC_RGB): samples >= 4 ? "rgba" : "rgb"
        case Int(PHOTOMETRIC_PALETTE): "palette"
        case Int(PHOTOMETRIC_MASK): "mask"
        case Int(PHOTOMETRIC_SEPARATED): "separated (cmyk)"
        case Int(PHOTOMETRIC_YCBCR): "ycbcr"
        case Int(PHOTOMETRIC_CIELAB), Int(PHOTOMETRIC_ICCLAB), Int(PHOTOMETRIC_ITULAB): "lab"
        default: "photometric \(code)"
        }
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
