import Foundation
import Imaging
import Testing
import TestSupport

/// The one `id,value` CSV reader shared by `pipe rle decode --csv`, `MaskSource.fromCSV` and the tile
/// stage's train.csv: LF or CRLF lines, quoted fields, blank lines.
@Suite struct KeyedCSVTests {
    @Test func crlfQuotedAndBlankLines() {
        let text = "id,encoding\r\n\"b2\",1 2 5 1\r\n\r\n  c3 , \"7 3\" \r\nd4\r\n\"e,5\",\"say \"\"hi\"\"\"\r\nf6,"
        let rows = KeyedCSV.rows(in: text)
        #expect(rows.map(\.id) == ["id", "b2", "c3", "d4", "e,5", "f6"])
        #expect(rows.map(\.value) == ["encoding", "1 2 5 1", "7 3", nil, "say \"hi\"", ""])
        #expect(rows.map(\.line) == [1, 2, 4, 5, 6, 7])
    }

    @Test func maskFromCRLFCSVWithQuotedIds() throws {
        let dir = try TemporaryDirectory("csv")
        defer { dir.remove() }
        let path = try dir.write("train.csv", "id,encoding\r\n\"aa\",1 3 9 2\r\nbb,4 1\r\n").path
        let a = try MaskSource.fromCSV(path: path, id: "aa", width: 4, height: 4).rle
        #expect(a.encoded == "1 3 9 2")
        #expect(try MaskSource.fromCSV(path: path, id: "bb", width: 4, height: 4).rle.encoded == "4 1")
        #expect {
            _ = try MaskSource.fromCSV(path: path, id: "bb", width: 1, height: 2)
        } throws: { error in
            (error as? ImagingError)?.description.hasPrefix("\(path):3: pair 1") == true
        }
        #expect(throws: ImagingError.self) { try MaskSource.fromCSV(path: path, id: "cc", width: 4, height: 4) }
    }
}
