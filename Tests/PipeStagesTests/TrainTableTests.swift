import Foundation
@testable import PipeStages
import TestSupport
import Testing

/// `train.csv` is read with Imaging's `KeyedCSV`: CRLF lines and quoted ids find their rows.
@Suite struct TrainTableTests {
    @Test func crlfAndQuotedIds() throws {
        let dir = try TemporaryDirectory("train-table")
        defer { dir.remove() }
        try dir.write("train.csv", "id,encoding\r\n\"aa\",1 3 9 2\r\n\r\nbb,\"4 1\"\r\n")
        let table = try TrainTable(directory: dir.url)
        #expect(table.rows == ["aa": "1 3 9 2", "bb": "4 1"])
    }

    @Test func aRowWithoutACommaIsLocated() throws {
        let dir = try TemporaryDirectory("train-table")
        defer { dir.remove() }
        try dir.write("train.csv", "id,encoding\r\naa,1 2\r\nbroken\r\n")
        #expect {
            _ = try TrainTable(directory: dir.url)
        } throws: { error in
            "\(error)".contains("train.csv:3: expected 'id,encoding', got 'broken'")
        }
    }
}
