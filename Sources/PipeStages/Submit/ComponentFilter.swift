/// Removes the 8-connected components of a binary image smaller than
/// `minArea` pixels, reading the image twice as a stream of rows (never
/// holding it): pass 1 (`scan`) labels each row's runs of set pixels and
/// unions them with the runs of the row above that touch them (8-connected:
/// overlapping or diagonal), summing component areas; pass 2 (`filter`)
/// sees the same rows again, numbers the runs in the same order, and keeps a
/// run only when its component is large enough. Memory is two integers per
/// run, independent of the image area.
public struct ComponentFilter: Sendable {
    public let width: Int
    public let minArea: Int
    private var parent: [Int32] = []
    private var length: [Int32] = []
    private var keep: [Bool] = []
    private var above: [(range: Range<Int>, id: Int32)] = []
    private var nextRun = 0
    private var scanned = false

    public init(width: Int, minArea: Int) {
        precondition(width > 0 && minArea >= 0, "component filter needs a positive width")
        self.width = width
        self.minArea = minArea
    }

    /// Pass 1: the next row (`width` bytes, non-zero = set), top to bottom.
    public mutating func scan(row: UnsafeBufferPointer<UInt8>) {
        precondition(!scanned, "scan after finishScan")
        var current: [(range: Range<Int>, id: Int32)] = []
        var j = 0
        for run in Self.runs(of: row, width: width) {
            let id = Int32(parent.count)
            parent.append(id)
            length.append(Int32(run.count))
            current.append((run, id))
            while j < above.count, above[j].range.upperBound < run.lowerBound { j += 1 }  // ends left of the diagonal
            var k = j
            while k < above.count, above[k].range.lowerBound <= run.upperBound {   // starts at most one past the end
                union(id, above[k].id)
                k += 1
            }
        }
        above = current
    }

    /// Ends pass 1: sums each component's area and decides which runs stay.
    public mutating func finishScan() {
        var area = [Int](repeating: 0, count: parent.count)
        for run in parent.indices { area[Int(find(Int32(run)))] += Int(length[run]) }
        keep = parent.indices.map { area[Int(find(Int32($0)))] >= minArea }
        parent = []
        length = []
        above = []
        scanned = true
    }

    /// Pass 2: the same rows again, in the same order; writes the row with small components cleared (0/1).
    public mutating func filter(row: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(scanned, "filter before finishScan")
        out.initialize(repeating: 0)
        for run in Self.runs(of: row, width: width) {
            precondition(nextRun < keep.count, "pass 2 saw more runs than pass 1; the rows must be the same")
            if keep[nextRun] { for x in run { out[x] = 1 } }
            nextRun += 1
        }
    }

    /// The runs of set pixels of a row, left to right.
    static func runs(of row: UnsafeBufferPointer<UInt8>, width: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var x = 0
        while x < width {
            guard row[x] != 0 else { x += 1; continue }
            let start = x
            while x < width, row[x] != 0 { x += 1 }
            result.append(start..<x)
        }
        return result
    }

    private mutating func find(_ node: Int32) -> Int32 {
        var x = node
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]   // path halving
            x = parent[Int(x)]
        }
        return x
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        let ra = find(a), rb = find(b)
        if ra != rb { parent[Int(max(ra, rb))] = min(ra, rb) }
    }
}
