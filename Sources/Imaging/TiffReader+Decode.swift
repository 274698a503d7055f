import CTIFF
import Foundation
import Synchronization

/// A raw pointer handed to worker threads that write disjoint parts of it.
struct SharedPointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
}

/// One tile or strip of one plane that overlaps the region being decoded.
struct ChunkJob: Sendable {
    var plane: Int
    var column: Int
    var row: Int
}

/// Strips whose decoded size exceeds this many bytes are read scanline by scanline so memory stays bounded.
let scanlineThreshold = 32 << 20

extension TiffReader {
    /// Decodes image rows `rows`, columns `x..<x+width`, into `band` (RGB, `width * 3` bytes a row),
    /// which the caller has zeroed. Only chunks overlapping the region are read, `threads` at a time.
    func decode(into band: UnsafeMutablePointer<UInt8>, x: Int, width: Int, rows: Range<Int>,
                threads: Int) throws(ImagingError) {
        let columns = x..<(x + width)
        let target = SharedPointer(base: band)
        // one job list for the window, or one per chunk row when the window spans very many chunks
        // (tiny tiles or one-row strips), so the list stays small next to the window itself
        let chunkHeight = plan.level.chunkHeight
        let estimate = (width / plan.level.chunkWidth + 2) * (rows.count / chunkHeight + 2) * plan.planes.count
        var top = max(rows.lowerBound, 0)
        let bottom = min(rows.upperBound, plan.level.height)
        while top < bottom {
            let next = estimate <= 1 << 16 ? bottom : min((top / chunkHeight + 1) * chunkHeight, bottom)
            try forEachChunk(chunkJobs(columns: columns, rows: top..<next), threads: threads) { job, buffers throws(ImagingError) in
                try self.decodeChunk(job, buffer: buffers, columns: columns, rows: rows) { row, column, pixels, copy in
                    copy.run(from: pixels, to: target.base + ((row - rows.lowerBound) * width + column - x) * 3)
                }
            }
            top = next
        }
    }

    /// The chunks (of every plane) overlapping image columns `columns` and rows `rows`, clipped to the level.
    func chunkJobs(columns: Range<Int>, rows: Range<Int>) -> [ChunkJob] {
        let lv = plan.level
        let x0 = max(columns.lowerBound, 0), x1 = min(columns.upperBound, lv.width)
        let y0 = max(rows.lowerBound, 0), y1 = min(rows.upperBound, lv.height)
        guard x0 < x1, y0 < y1 else { return [] }
        var jobs: [ChunkJob] = []
        for plane in plan.planes.indices {
            for row in (y0 / lv.chunkHeight)...((y1 - 1) / lv.chunkHeight) {
                for column in (x0 / lv.chunkWidth)...((x1 - 1) / lv.chunkWidth) {
                    jobs.append(ChunkJob(plane: plane, column: column, row: row))
                }
            }
        }
        return jobs
    }

    /// Runs `body` on every job, `threads` at a time; each worker owns one set of chunk buffers.
    /// The first error stops the remaining jobs and is rethrown.
    func forEachChunk(_ jobs: [ChunkJob], threads: Int,
                      _ body: @Sendable (ChunkJob, ChunkBuffers) throws(ImagingError) -> Void) throws(ImagingError) {
        guard !jobs.isEmpty else { return }
        let next = Atomic<Int>(0)
        let failure = Mutex<ImagingError?>(nil)
        let workers = max(1, min(threads, jobs.count))
        @Sendable func work(_: Int) {
            let buffers = ChunkBuffers(chunkBytes: self.chunkBufferBytes(), rowBytes: self.plan.level.chunkWidth * 4)
            defer { buffers.deallocate() }
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < jobs.count, failure.withLock({ $0 == nil }) else { return }
                do throws(ImagingError) {
                    try body(jobs[i], buffers)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Rows of the strip (or tile row) holding image row `row`; the last one may be short.
    func stripRows(at row: Int) -> Int {
        let lv = plan.level
        return min(lv.chunkHeight, lv.height - row / lv.chunkHeight * lv.chunkHeight)
    }

    /// Whether the strip holding image row `row` is too large to decode whole (over `scanlineLimit`
    /// bytes) and is read scanline by scanline. Decided per strip: a short last strip decodes whole.
    func readsScanlines(at row: Int) -> Bool {
        let lv = plan.level
        return !lv.tiled && !plan.rgbaFallback && !plan.jfifUnderRGBTag
            && stripRows(at: row) * lv.chunkWidth * plan.storedPixelBytes > scanlineLimit
    }

    /// Bytes of one decoded chunk: the largest strip decoded whole, or one scanline when every strip
    /// is read by scanline.
    private func chunkBufferBytes() -> Int {
        let lv = plan.level
        guard !lv.tiled, !plan.rgbaFallback else { return lv.chunkWidth * lv.chunkHeight * plan.storedPixelBytes }
        let whole = [0, lv.height - 1].filter { !readsScanlines(at: $0) }.map { stripRows(at: $0) }.max() ?? 1
        return lv.chunkWidth * whole * plan.storedPixelBytes
    }

    /// Decodes one chunk into `buffers` and hands each of its rows overlapping `columns` x `rows` to
    /// `sink`, top to bottom: the image row, the first overlapping image column, the pixel at that
    /// column (8-bit samples, `plan.chunkSamples` a pixel), and how to map them to RGB (`copy.count`
    /// pixels). A chunk the file leaves out (offset or byte count 0) reads as `options.fill`.
    func decodeChunk(_ job: ChunkJob, buffer buffers: ChunkBuffers, columns: Range<Int>, rows: Range<Int>,
                     _ sink: (_ row: Int, _ column: Int, _ pixels: UnsafePointer<UInt8>, _ copy: ChunkCopy) -> Void) throws(ImagingError) {
        let lv = plan.level
        let cx0 = job.column * lv.chunkWidth, cy0 = job.row * lv.chunkHeight
        let cx1 = min(cx0 + lv.chunkWidth, lv.width), cy1 = min(cy0 + lv.chunkHeight, lv.height)
        let ix0 = max(cx0, columns.lowerBound), ix1 = min(cx1, columns.upperBound)
        let iy0 = max(cy0, rows.lowerBound), iy1 = min(cy1, rows.upperBound)
        guard ix0 < ix1, iy0 < iy1 else { return }
        let sample = UInt16(plan.sampleIndex[job.plane])
        let copy = ChunkCopy(plan: plan, plane: job.plane, count: ix1 - ix0)
        let buffer = buffers.chunk
        try withHandle(plane: job.plane) { (h: TiffHandle) throws(ImagingError) in
            if isAbsent(h, x: cx0, y: cy0, sample: sample) {
                h.nextScanline = nil
                guard options.fill != 0 else { return }   // both callers start from zeros: nothing to add
                buffers.row.update(repeating: options.fill, count: lv.chunkWidth * 4)
                for row in iy0..<iy1 { sink(row, ix0, buffers.row, copy) }
                return
            }
            if !lv.tiled, readsScanlines(at: cy0) {
                try readScanlines(h, sample: sample, strip: cy0..<cy1, rows: iy0..<iy1, buffer: buffer) { row, line in
                    sink(row, ix0, converted(line + (ix0 - cx0) * plan.storedPixelBytes, count: ix1 - ix0, buffers), copy)
                }
                return
            }
            h.nextScanline = nil
            if plan.rgbaFallback {
                try readRGBA(h, x: cx0, y: cy0, rows: cy1 - cy0, buffer: buffer)
                for row in iy0..<iy1 {   // the RGBA raster is bottom-up
                    let flipped = (lv.tiled ? lv.chunkHeight : cy1 - cy0) - 1 - (row - cy0)
                    sink(row, ix0, buffer + (flipped * lv.chunkWidth + ix0 - cx0) * 4, copy)
                }
                return
            }
            if plan.jfifUnderRGBTag {
                try decodeJFIF(h, x: cx0, y: cy0, rows: lv.tiled ? lv.chunkHeight : cy1 - cy0, buffer: buffer)
            } else if lv.tiled {
                let index = TIFFComputeTile(h.tiff, UInt32(cx0), UInt32(cy0), 0, sample)
                let size = lv.chunkWidth * lv.chunkHeight * plan.storedPixelBytes
                guard TIFFReadEncodedTile(h.tiff, index, buffer, tmsize_t(size)) >= 0 else {
                    throw ImagingError(.corrupt, "cannot decode tile \(index) (\(h.lastError("truncated or corrupt data")))", path: h.path)
                }
            } else {
                let index = TIFFComputeStrip(h.tiff, UInt32(cy0), sample)
                let size = (iy1 - cy0) * lv.chunkWidth * plan.storedPixelBytes
                guard TIFFReadEncodedStrip(h.tiff, index, buffer, tmsize_t(size)) >= 0 else {
                    throw ImagingError(.corrupt, "cannot decode strip \(index) (\(h.lastError("truncated or corrupt data")))", path: h.path)
                }
            }
            for row in iy0..<iy1 {
                let pixels = buffer + ((row - cy0) * lv.chunkWidth + ix0 - cx0) * plan.storedPixelBytes
                sink(row, ix0, converted(pixels, count: ix1 - ix0, buffers), copy)
            }
        }
    }

    /// `pixels` as 8-bit output samples: unchanged, or converted into `buffers.row`.
    @inline(__always)
    private func converted(_ pixels: UnsafeMutablePointer<UInt8>, count: Int, _ buffers: ChunkBuffers) -> UnsafePointer<UInt8> {
        guard let converter = plan.converter else { return UnsafePointer(pixels) }
        converter.convert(pixels, count: count, into: buffers.row)
        return UnsafePointer(buffers.row)
    }

    /// Whether the chunk at (`x`, `y`) of sample plane `sample` is absent from the file (for the
    /// RGBA interface, which reads every plane of a planar file at once, whether any plane's is).
    private func isAbsent(_ h: TiffHandle, x: Int, y: Int, sample: UInt16) -> Bool {
        let tiled = plan.level.tiled
        func index(_ s: UInt16) -> UInt32 {
            tiled ? TIFFComputeTile(h.tiff, UInt32(x), UInt32(y), 0, s) : TIFFComputeStrip(h.tiff, UInt32(y), s)
        }
        guard plan.rgbaFallback, h.u16Defaulted(UInt32(TIFFTAG_PLANARCONFIG)) == UInt16(PLANARCONFIG_SEPARATE),
              let samples = h.u16Defaulted(UInt32(TIFFTAG_SAMPLESPERPIXEL)), samples > 1 else {
            return h.isAbsent(index(sample))
        }
        return (0..<samples).contains { h.isAbsent(index($0)) }
    }

    private func readRGBA(_ h: TiffHandle, x: Int, y: Int, rows: Int, buffer: UnsafeMutablePointer<UInt8>) throws(ImagingError) {
        let ok = buffer.withMemoryRebound(to: UInt32.self, capacity: plan.level.chunkWidth * plan.level.chunkHeight) { raster in
            plan.level.tiled ? TIFFReadRGBATile(h.tiff, UInt32(x), UInt32(y), raster) : TIFFReadRGBAStrip(h.tiff, UInt32(y), raster)
        }
        guard ok == 1 else {
            throw ImagingError(.corrupt, "cannot decode the \(plan.level.tiled ? "tile" : "strip") at \(x), \(y) (\(h.lastError("truncated or corrupt data")))", path: h.path)
        }
    }

    /// Decodes rows `rows` of the strip covering image rows `strip`, one scanline at a time into
    /// `buffer`. Compressed strips cannot seek forward, so decoding starts at the strip's first row
    /// (or where this handle last stopped in it) and discards the rows before `rows`.
    private func readScanlines(_ h: TiffHandle, sample: UInt16, strip: Range<Int>, rows: Range<Int>,
                               buffer: UnsafeMutablePointer<UInt8>,
                               _ each: (Int, UnsafeMutablePointer<UInt8>) -> Void) throws(ImagingError) {
        var start = strip.lowerBound
        if let next = h.nextScanline, next.sample == sample, strip.contains(next.row), next.row <= rows.lowerBound {
            start = next.row
        }
        h.nextScanline = nil
        for row in start..<rows.upperBound {
            guard TIFFReadScanline(h.tiff, buffer, UInt32(row), sample) >= 0 else {
                throw ImagingError(.corrupt, "cannot decode row \(row) (\(h.lastError("truncated or corrupt data")))", path: h.path)
            }
            if row >= rows.lowerBound { each(row, buffer) }
        }
        h.nextScanline = (sample, rows.upperBound)
    }
}

/// The buffers one decoding worker reuses: a decoded chunk (stored samples) and one converted row.
struct ChunkBuffers: @unchecked Sendable {
    let chunk: UnsafeMutablePointer<UInt8>
    /// One chunk row of output samples (at least `chunkWidth * 4` bytes).
    let row: UnsafeMutablePointer<UInt8>

    init(chunkBytes: Int, rowBytes: Int) {
        chunk = .allocate(capacity: chunkBytes)
        row = .allocate(capacity: rowBytes)
    }

    func deallocate() {
        chunk.deallocate()
        row.deallocate()
    }
}

/// Copies `count` pixels of a decoded chunk row into an RGB row, mapping the file's samples to RGB.
struct ChunkCopy {
    enum Mode { case rgb, rgbOfMany(Int), grayOfMany(Int), plane(Int) }
    let mode: Mode
    let count: Int

    init(plan: TiffLevelPlan, plane: Int, count: Int) {
        self.count = count
        if plan.chunkSamples == 1 && plan.colorSamples == 3 {
            mode = .plane(plane)
        } else if plan.colorSamples == 1 {
            mode = .grayOfMany(plan.chunkSamples)
        } else if plan.chunkSamples == 3 {
            mode = .rgb
        } else {
            mode = .rgbOfMany(plan.chunkSamples)
        }
    }

    /// The chunk's pixels are already interleaved RGB (nothing to map).
    var isRGB: Bool { if case .rgb = mode { true } else { false } }

    @inline(__always)
    func run(from src: UnsafePointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>) {
        switch mode {
        case .rgb:
            dst.update(from: src, count: count * 3)
        case .rgbOfMany(let n):
            for i in 0..<count {
                dst[i * 3] = src[i * n]; dst[i * 3 + 1] = src[i * n + 1]; dst[i * 3 + 2] = src[i * n + 2]
            }
        case .grayOfMany(let n):
            for i in 0..<count {
                let v = src[i * n]
                dst[i * 3] = v; dst[i * 3 + 1] = v; dst[i * 3 + 2] = v
            }
        case .plane(let p):
            for i in 0..<count { dst[i * 3 + p] = src[i] }
        }
    }
}
