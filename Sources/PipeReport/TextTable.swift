/// Plain-text tables for the terminal (`pipe run`'s stage table, `pipe diff`, `pipe log --format tsv`).
public enum TextTable {
    /// Left-aligned columns separated by two spaces; the last column is not padded.
    public static func render(_ rows: [[String]]) -> String {
        guard let width = rows.first?.count else { return "" }
        let widths = (0..<width).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == width - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
