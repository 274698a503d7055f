import Foundation

/// Small helpers for writing the report's HTML and SVG by hand: every string
/// that comes from a user (names, params, notes, file names) goes through
/// `escape` before it reaches the page.
enum HTML {
    /// `text` with `& < > " '` replaced by entities, safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A section with an id, a heading and a body.
    static func section(id: String, title: String, _ body: String) -> String {
        "<section id=\"\(escape(id))\">\n<h2>\(escape(title))</h2>\n\(body)\n</section>\n"
    }

    /// The "nothing to show yet" paragraph.
    static func empty(_ message: String) -> String { "<p class=\"empty\">\(escape(message))</p>" }

    /// A paragraph that warns (a result the reader should not trust as it is).
    static func warning(_ message: String) -> String { "<p class=\"warning\">\(escape(message))</p>" }

    /// A table; `header` and `rows` are plain text, escaped here.
    static func table(header: [String], rows: [[String]], numericFrom: Int = Int.max) -> String {
        var html = "<table>\n<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.enumerated().map { column, cell in
                column >= numericFrom ? "<td class=\"num\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>"
    }

    /// An inline `<img>` of a PNG file as a `data:` URI, or nil when unreadable.
    static func inlinePNG(path: String, alt: String, width: Int? = nil) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            return nil
        }
        let size = width.map { " width=\"\($0)\"" } ?? ""
        return "<img src=\"data:image/png;base64,\(data.base64EncodedString())\" alt=\"\(escape(alt))\"\(size)>"
    }

    /// A number for an SVG attribute: at most two decimals, no exponent.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        guard rounded != 0 else { return "0" }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A metric value as shown in tables: a whole number as is, else four decimals below 10, else one.
    static func metric(_ value: Double) -> String {
        if value == value.rounded(), value.magnitude < 1e9 { return String(Int(value)) }
        return String(format: value.magnitude < 10 ? "%.4f" : "%.1f", value)
    }

    /// `0.08` -> `80ms`, `12.3` -> `12.3s`, `75` -> `1m15s` (as the stage table prints times).
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
