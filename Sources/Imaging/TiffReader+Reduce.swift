import Foundation

extension TiffReader {
    /// Streams the window (x, y, width, height) area-reduced by `reduce`, with the same values as
    /// `readWindow(x:y:width:height:reduce:threads:)`, top to bottom: `emit` receives the index of the
    /// first output row and consecutive finished rows (`width/reduce * 3` bytes each). Each chunk of the
    /// file is decoded exactly once and summed straight into the reduced rows (no full-resolution
    /// buffer); chunk rows are read one after another, `threads` chunks at a time, so memory is bounded
    /// by one chunk row's reduced sums (strips read by scanline go ~16 MB of pixels at a time, each
    /// piece resuming where the previous one stopped).
    /// Throws what `emit` throws, or `ImagingError`.
    public func readReduced(x: Int, y: Int, width: Int, height: Int, reduce: Int,
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            emit: (_ firstRow: Int, _ rows: UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        _ = try checkWindow(x: x, y: y, width: width, height: height, reduce: reduce)
        let chunkHeight = plan.level.chunkHeight
        let scanStep = min(chunkHeight, max(reduce, (16 << 20) / (width * 3)))
        func step(at row: Int) -> Int { readsScanlines(at: row) ? scanStep : chunkHeight }
        // the reduced rows one chunk row can touch, and never more than the window has: a strip of
        // millions of narrow rows is one chunk, but a small window still needs only its own rows
        let capacity = min(max(step(at: 0), step(at: plan.level.height - 1)) / reduce + 2, height / reduce)
        _ = try ImageLimits.bytes(capacity, width / reduce, 3, 5, field: "reduced rows of \(chunkHeight)-row tiles or strips", path: path)
        var sums = ReducedSums(width: width / reduce, rows: height / reduce, reduce: reduce, capacity: capacity)
        defer { sums.deallocate() }
        let columns = x..<(x + width)
        var top = max(y, 0)
        let bottom = min(y + height, plan.level.height)
        while top < bottom {
            let rows = top..<min((top / chunkHeight + 1) * chunkHeight, top + step(at: top), bottom)
            try sums.finish(through: (rows.lowerBound - y) / reduce, emit)
            for phase in phases(of: chunkJobs(columns: columns, rows: rows), x: x, reduce: reduce) {
                try accumulate(phase, columns: columns, rows: rows, y: y, into: sums, threads: threads)
            }
            top = rows.upperBound
        }
        try sums.finish(through: height / reduce, emit)
    }

    /// Splits a chunk row's jobs so that no two jobs running together add into the same reduced value:
    /// planes one after another, and when reduce blocks straddle chunk columns, columns in turns far
    /// enough apart that no block touches two of one turn.
    private func phases(of jobs: [ChunkJob], x: Int, reduce: Int) -> [[ChunkJob]] {
        let width = plan.level.chunkWidth
        let aligned = width % reduce == 0 && (x % reduce + reduce) % reduce == 0
        let turns = aligned ? 1 : 2 + (reduce - 1) / width
        var phases = Array(repeating: [ChunkJob](), count: plan.planes.count * turns)
        for job in jobs { phases[job.plane * turns + job.column % turns].append(job) }
        return phases.filter { !$0.isEmpty }
    }

    /// Decodes `jobs` and adds their pixels in `columns` x `rows` into `sums`: each chunk's rows of one
    /// reduced row are summed down the columns, then across each block.
    private func accumulate(_ jobs: [ChunkJob], columns: Range<Int>, rows: Range<Int>, y: Int,
                            into sums: ReducedSums, threads: Int) throws(ImagingError) {
        let reduce = sums.reduce, chunkValues = plan.level.chunkWidth * 3
        try forEachChunk(jobs, threads: threads) { job, buffers throws(ImagingError) in
            let columnSums = UnsafeMutablePointer<UInt16>.allocate(capacity: chunkValues)
            let rgb = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkValues)
            defer { columnSums.deallocate(); rgb.deallocate() }
            var pending: (row: Int, column: Int, count: Int)? = nil
            func flush() {
                guard let p = pending else { return }
                sums.addAcross(columnSums, row: p.row, column: p.column - columns.lowerBound, count: p.count)
                pending = nil
            }
            try self.decodeChunk(job, buffer: buffers, columns: columns, rows: rows) { row, column, pixels, copy in
                let target = (row - y) / reduce
                if pending?.row != target {
                    flush()
                    columnSums.initialize(repeating: 0, count: copy.count * 3)
                    pending = (target, column, copy.count)
                }
                var source = pixels
                if !copy.isRGB {
                    rgb.initialize(repeating: 0, count: copy.count * 3)
                    copy.run(from: pixels, to: rgb)
                    source = UnsafePointer(rgb)
                }
                for i in 0..<(copy.count * 3) { columnSums[i] &+= UInt16(source[i]) }
            }
            flush()
        }
    }
}

/// Block sums of the reduced rows a chunk row can touch, finished (divided, rounded) and handed on in
/// order. Rows `first..<first+capacity` are held; later rows are all zero until reached.
struct ReducedSums: @unchecked Sendable {
    let width: Int
    let rows: Int
    let reduce: Int
    let capacity: Int
    private let values: UnsafeMutablePointer<UInt32>
    private let finished: UnsafeMutablePointer<UInt8>
    /// The first row not yet handed on.
    private(set) var first = 0

    init(width: Int, rows: Int, reduce: Int, capacity: Int) {
        self.width = width
        self.rows = rows
        self.reduce = reduce
        self.capacity = capacity
        values = .allocate(capacity: capacity * width * 3)
        values.initialize(repeating: 0, count: capacity * width * 3)
        finished = .allocate(capacity: capacity * width * 3)
    }

    func deallocate() {
        values.deallocate()
        finished.deallocate()
    }

    /// Adds a run of column sums (RGB, `count` pixels from reduced-window column `column` in full-resolution
    /// pixels) across each block into output row `row`. Callers never add into one value concurrently.
    func addAcross(_ columnSums: UnsafePointer<UInt16>, row: Int, column: Int, count: Int) {
        let out = values + (row - first) * width * 3
        switch reduce {   // constant block widths unroll the inner loop
        case 2: Self.addAcross(columnSums, column: column, count: count, reduce: 2, into: out)
        case 4: Self.addAcross(columnSums, column: column, count: count, reduce: 4, into: out)
        default: Self.addAcross(columnSums, column: column, count: count, reduce: reduce, into: out)
        }
    }

    @inline(__always)
    private static func addAcross(_ sums: UnsafePointer<UInt16>, column: Int, count: Int, reduce r: Int,
                                  into out: UnsafeMutablePointer<UInt32>) {
        var block = column / r, i = 0
        func add(_ n: Int) {
            var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0
            for j in i..<(i + n) {
                s0 &+= UInt32(sums[j * 3]); s1 &+= UInt32(sums[j * 3 + 1]); s2 &+= UInt32(sums[j * 3 + 2])
            }
            out[block * 3] &+= s0; out[block * 3 + 1] &+= s1; out[block * 3 + 2] &+= s2
            i += n
            block += 1
        }
        if column % r != 0 { add(min(r - column % r, count)) }   // the end of a block begun in the chunk to the left
        while i + r <= count { add(r) }
        if i < count { add(count - i) }   // the start of a block ending in the chunk to the right
    }

    /// Hands on rows `first..<end` (clamped to the window): their sums are complete.
    mutating func finish(through end: Int, _ emit: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let rowValues = width * 3, n = UInt32(reduce * reduce), half = n / 2
        let shift = n & (n - 1) == 0 ? UInt32(n.trailingZeroBitCount) : nil
        while first < min(end, rows) {
            let count = min(capacity, min(end, rows) - first), total = count * rowValues
            if let shift {
                for i in 0..<total { finished[i] = UInt8(truncatingIfNeeded: (values[i] &+ half) >> shift) }
            } else {
                for i in 0..<total { finished[i] = UInt8(truncatingIfNeeded: (values[i] &+ half) / n) }
            }
            try emit(first, UnsafeBufferPointer(start: finished, count: total))
            let kept = (capacity - count) * rowValues
            memmove(values, values + total, kept * MemoryLayout<UInt32>.size)
            (values + kept).update(repeating: 0, count: total)
            first += count
        }
    }
}
