import Foundation
import Imaging
import Testing
import TestSupport

@Suite struct RLETests {
    /// Masks of the edge cases plus random blobs and noise, row-major 0/1.
    static func masks() -> [(String, Int, Int, [UInt8])] {
        var out: [(String, Int, Int, [UInt8])] = []
        let (w, h) = (37, 23)
        out.append(("empty", w, h, [UInt8](repeating: 0, count: w * h)))
        out.append(("full", w, h, [UInt8](repeating: 1, count: w * h)))
        var single = [UInt8](repeating: 0, count: w * h); single[5 * w + 9] = 1
        out.append(("single", w, h, single))
        var ends = [UInt8](repeating: 0, count: w * h); ends[0] = 1; ends[w * h - 1] = 1
        out.append(("first-last", w, h, ends))
        var column = [UInt8](repeating: 0, count: w * h)   // runs that cross column boundaries
        for y in 0..<h { column[y * w + 3] = 1; column[y * w + 4] = 1 }
        column[(h - 1) * w + 2] = 1; column[0 * w + 5] = 1
        out.append(("column-wrap", w, h, column))
        var rng = SeededRandom(seed: 11)
        for i in 0..<6 {
            let (mw, mh) = (Int(rng.next() % 90) + 1, Int(rng.next() % 70) + 1)
            let density = rng.float(0.05, 0.95)
            out.append(("noise\(i)", mw, mh, (0..<(mw * mh)).map { _ in rng.float() < density ? 1 : 0 }))
            let (cx, cy, r) = (rng.float(0, Float(mw)), rng.float(0, Float(mh)), rng.float(3, 30))
            out.append(("blob\(i)", mw, mh, (0..<(mw * mh)).map { p in
                let dx = Float(p % mw) - cx, dy = Float(p / mw) - cy
                return dx * dx + dy * dy < r * r ? 1 : 0
            }))
        }
        return out
    }

    @Test func roundTripsAndWindows() throws {
        for (name, w, h, mask) in Self.masks() {
            let rle = RLEEncoder.encode(mask, width: w, height: h)
            let parsed = try RLEMask(rle: rle.encoded, width: w, height: h)
            #expect(parsed == rle, "\(name)")
            #expect(parsed.window(x: 0, y: 0, width: w, height: h) == mask, "\(name)")
            #expect(parsed.area == mask.reduce(0) { $0 + Int($1) })
            let win = parsed.window(x: -3, y: 2, width: 20, height: 16)
            for yy in 0..<16 {
                for xx in 0..<20 {
                    let (ix, iy) = (xx - 3, yy + 2)
                    let want: UInt8 = ix >= 0 && iy >= 0 && ix < w && iy < h ? mask[iy * w + ix] : 0
                    #expect(win[yy * 20 + xx] == want, "\(name) at \(ix),\(iy)")
                }
            }
        }
        #expect(RLEEncoder.encode([0, 0, 0, 0], width: 2, height: 2).encoded == "")
        #expect(RLEEncoder.encode([1, 1, 1, 1], width: 2, height: 2).encoded == "1 4")
        // column-major: (x=1, y=0) is pixel 3
        #expect(RLEEncoder.encode([0, 1, 0, 0], width: 2, height: 2).encoded == "3 1")
    }

    @Test(.enabled(if: pythonHas("numpy")))
    func matchesNumpyReference() throws {
        let dir = try TemporaryDirectory("rle")
        defer { dir.remove() }
        let masks = Self.masks()
        for (name, w, h, mask) in masks {
            try Data(mask).write(to: dir.file(name + ".mask"))
            try dir.write(name + ".json", "{\"width\": \(w), \"height\": \(h)}")
        }
        let result = try runProcess("python3", [Fixtures.script("rle_reference.py"), dir.path])
        try #require(result.status == 0, "\(result.stderr)")
        let reference = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: [String: Any]]
        for (name, w, h, mask) in masks {
            let want = try #require(reference[name]?["rle"] as? String)
            #expect(RLEEncoder.encode(mask, width: w, height: h).encoded == want, "\(name)")
            #expect(try RLEMask(rle: want, width: w, height: h).window(x: 0, y: 0, width: w, height: h) == mask, "\(name)")
            #expect(reference[name]?["decoded_matches"] as? Bool == true)
        }
    }

    @Test(arguments: [
        ("1 2 x 4", "token 3 'x'"), ("1 2 3", "odd number"), ("5 2 3 1", "overlaps or precedes"),
        ("5 3 7 1", "overlaps"), ("0 2", "1-indexed"), ("3 0", "length"), ("99 3", "past the image end"),
        ("1 -2", "token 2"),
        // huge values never overflow: located like the rest
        ("2 9223372036854775807", "pair 1 ('2 9223372036854775807', token 1): run ends past the image end"),
        ("9223372036854775807 1", "past the image end"), ("1 2 99999999999999999999", "token 3"),
        ("1 2 5 1 9 1 123", "odd number of values (7): the last start 123 at token 7 has no length"),
    ])
    func malformedIsLocated(rle: String, fragment: String) {
        #expect {
            _ = try RLEMask(rle: rle, width: 10, height: 10, source: "train.csv:3")
        } throws: { error in
            let e = error as! ImagingError
            return e.code == .malformedRLE && e.message.contains(fragment) && e.description.hasPrefix("train.csv:3")
        }
    }

    @Test func maskSizesWhosePixelCountOverflowsAreRefused() {
        #expect {
            _ = try RLEMask(rle: "1 1", width: 4_000_000_000, height: 4_000_000_000, source: "stdin")
        } throws: { error in
            let e = error as! ImagingError
            return e.code == .tooLarge && e.message.contains("4000000000 x 4000000000") && e.description.hasPrefix("stdin")
        }
    }

    @Test func reducedWindows() throws {
        let mask = RLEEncoder.encode((0..<64).map { $0 % 8 < 4 ? 1 : 0 }, width: 8, height: 8)
        // left half set: nearest picks block top-left, area gives the block mean
        #expect(mask.window(x: 0, y: 0, width: 8, height: 8, reduce: 4, mode: .nearest) == [1, 0, 1, 0])
        #expect(mask.window(x: 2, y: 0, width: 4, height: 4, reduce: 4, mode: .area, value: 255) == [128])
    }

    @Test func nearestWindowsSampleTheRunsLikeTheFullWindow() {
        var rng = SeededRandom(seed: 9)
        let bits = (0..<(37 * 29)).map { _ in UInt8.random(in: 0...3, using: &rng) == 0 ? UInt8(1) : 0 }
        let mask = RLEEncoder.encode(bits, width: 37, height: 29)
        for (x, y, r) in [(0, 0, 1), (-5, -7, 3), (10, 3, 2), (30, 20, 4), (-40, 0, 5), (3, -2, 7)] {
            let full = mask.window(x: x, y: y, width: 12 * r, height: 6 * r)
            let want = MaskDownscale.apply(full, width: 12 * r, height: 6 * r, reduce: r, mode: .nearest)
            #expect(mask.window(x: x, y: y, width: 12 * r, height: 6 * r, reduce: r, mode: .nearest) == want, "\(x),\(y) /\(r)")
        }
    }

    @Test func largeMaskEncodesFromRowsWithoutPerPixelMemory() {
        // 40,000 x 40,000: streamed row by row, only runs are kept.
        let side = 40_000
        var encoder = RLEEncoder(width: side, height: side)
        var row = [UInt8](repeating: 0, count: side)
        for y in 0..<side {
            if y == 1000 { for x in 5000..<5200 { row[x] = 1 } }
            if y == 1200 { for x in 5000..<5200 { row[x] = 0 } }
            encoder.append(row: row)
        }
        let mask = encoder.finish()
        #expect(mask.runs.count == 200 && mask.area == 200 * 200)
        #expect(mask.window(x: 4999, y: 999, width: 2, height: 2) == [0, 0, 0, 1])
    }
}
