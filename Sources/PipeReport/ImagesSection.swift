import Foundation
import PipeStages

/// Sections of embedded PNGs: the overlays and previews the stage kinds
/// declare (validate's worst cases, tile and augment contact sheets). Every
/// image is inlined as base64.
enum ImagesSection {
    /// At most this many images per gallery section, so a page stays a few MB.
    static let limit = 48

    static func overlays(_ snapshot: ReportSnapshot) -> String {
        let body = gallery(snapshot, .overlays, width: 320)
            ?? HTML.empty("not run yet: a validate task writes its worst-case overlays as overlays/*.png")
        return HTML.section(id: "overlays", title: "Worst-case overlays", body)
    }

    static func previews(_ snapshot: ReportSnapshot) -> String {
        let body = gallery(snapshot, .preview, width: 256)
            ?? HTML.empty("not run yet: tile and augment tasks write preview.png")
        return HTML.section(id: "previews", title: "Augmentation and tile previews", body)
    }

    /// Figures of every file with `role`, grouped by stage; nil when there is none.
    static func gallery(_ snapshot: ReportSnapshot, _ role: ArtifactDeclaration.Role, width: Int) -> String? {
        var figures: [String] = [], total = 0
        for task in snapshot.tasks {
            for (path, file) in snapshot.files(role, of: task) {
                total += 1
                guard figures.count < limit else { continue }
                let caption = role == .overlays ? "\(task.task): \(path.split(separator: "/").last ?? "")"
                    : !path.contains("/") ? task.task : "\(task.task): \(path)"
                guard let image = HTML.inlinePNG(path: file, alt: caption, width: width) else { continue }
                figures.append("<figure>\(image)<figcaption>\(HTML.escape(caption))</figcaption></figure>")
            }
        }
        guard total > 0 else { return nil }
        let more = total > figures.count ? "<p class=\"legend\">\(total - figures.count) more not shown.</p>" : ""
        return "<div class=\"gallery\">\n" + figures.joined(separator: "\n") + "\n</div>\n" + more
    }
}
