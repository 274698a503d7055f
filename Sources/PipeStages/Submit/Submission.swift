import Foundation
import Imaging

/// One row of `submission.csv`: an image id, its Kaggle RLE and its size (for the self-check).
struct SubmissionRow: Sendable, Equatable {
    var id: String
    var rle: String
    var width: Int
    var height: Int
}

/// `submission.csv` (`id,predicted`) in the order Kaggle expects, checked before it is written.
enum Submission {
    /// The ids of `sample_submission.csv` at the root of `directory`, in file order; nil when there is none.
    static func sampleOrder(in directory: URL) throws -> [String]? {
        let url = directory.appendingPathComponent("sample_submission.csv")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw StageError("\(url.path): not readable as UTF-8 text")
        }
        var ids: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if number == 0 || trimmed.isEmpty { continue }
            let id = String(trimmed.prefix { $0 != "," })
            guard !id.isEmpty else { throw StageError("\(url.path):\(number + 1): a row without an id") }
            ids.append(id)
        }
        return ids
    }

    /// Checks rows against the expected order: every id present exactly once
    /// and in order, each RLE parsing and fitting its image. Throws naming the first problem.
    static func check(_ rows: [SubmissionRow], order: [String]) throws {
        var seen: [String: Int] = [:]
        for row in rows { seen[row.id, default: 0] += 1 }
        if let duplicate = order.first(where: { (seen[$0] ?? 0) > 1 }) {
            throw StageError("submission lists image '\(duplicate)' more than once")
        }
        if let missing = order.first(where: { seen[$0] == nil }) {
            throw StageError("submission has no row for image '\(missing)'")
        }
        guard rows.map(\.id) == order else {
            let extra = rows.first { !order.contains($0.id) }?.id ?? ""
            throw StageError(extra.isEmpty ? "submission rows are not in sample_submission order"
                                           : "submission has image '\(extra)', which sample_submission.csv does not list")
        }
        for row in rows {
            do { _ = try RLEMask(rle: row.rle, width: row.width, height: row.height, source: "submission row '\(row.id)'") } catch {
                throw StageError("\(error)")
            }
        }
    }

    /// The CSV text: a header, then `id,rle` per row.
    static func csv(_ rows: [SubmissionRow]) -> String {
        rows.reduce(into: "id,predicted\n") { text, row in text += "\(row.id),\(row.rle)\n" }
    }
}
