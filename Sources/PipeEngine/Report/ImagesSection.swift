import Foundation

/// Sections of embedded PNGs: the worst-case overlays validate writes under
/// `overlays/`, and the previews tile and augment tasks write as
/// `preview.png` (or under `previews/`). Every image is inlined as base64.
enum ImagesSection {
    static let limit = ReportArtifacts.imageLimit

    static func isOverlay(_ path: String) -> Bool { path.hasPrefix(ReportArtifacts.overlaysDirectory) && path.lowercased().hasSuffix(".png") }

    static func isPreview(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower == ReportArtifacts.preview || lower.hasSuffix("/" + ReportArtifacts.preview)
            || (lower.hasPrefix(ReportArtifacts.previewsDirectory) && lower.hasSuffix(".png"))
    }

    static func overlays(_ snapshot: ReportSnapshot) -> String {
        let body = gallery(snapshot, where: isOverlay, width: 320)
            ?? HTML.empty("not run yet: a validate task writes its worst-case overlays as overlays/*.png")
        return HTML.section(id: "overlays", title: "Worst-case overlays", body)
    }

    static func previews(_ snapshot: ReportSnapshot) -> String {
        let body = gallery(snapshot, where: isPreview, width: 256)
            ?? HTML.empty("not run yet: tile and augment tasks write preview.png")
        return HTML.section(id: "previews", title: "Augmentation and tile previews", body)
    }

    /// Figures of every matching file, grouped by stage; nil when there is none.
    static func gallery(_ snapshot: ReportSnapshot, where predicate: (String) -> Bool, width: Int) -> String? {
        var figures: [String] = [], total = 0
        for task in snapshot.tasks {
            for (path, file) in task.files(where: predicate) {
                total += 1
                guard figures.count < limit else { continue }
                let caption = path.hasPrefix(ReportArtifacts.overlaysDirectory) ? "\(task.task): \(path.dropFirst("overlays/".count))"
                    : path == "preview.png" ? task.task : "\(task.task): \(path)"
                guard let image = HTML.inlinePNG(path: file, alt: caption, width: width) else { continue }
                figures.append("<figure>\(image)<figcaption>\(HTML.escape(caption))</figcaption></figure>")
            }
        }
        guard total > 0 else { return nil }
        let more = total > figures.count ? "<p class=\"legend\">\(total - figures.count) more not shown.</p>" : ""
        return "<div class=\"gallery\">\n" + figures.joined(separator: "\n") + "\n</div>\n" + more
    }
}
