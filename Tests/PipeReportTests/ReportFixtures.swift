import Foundation
import Imaging
import PipeCore
import PipeEngine
@testable import PipeReport
import TestSupport

/// Hand-written output files of the stages that do not exist yet (train,
/// validate), in the names the report documents, plus a snapshot over them.
struct ReportFixture {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory("pipe-report") }

    func remove() { dir.remove() }

    /// `metrics.csv` of one fold: loss falling, Dice rising, cosine-ish lr.
    func curve(fold: Int) throws -> String {
        var csv = "epoch,lr,train_loss,val_loss,val_dice\n"
        for epoch in 1...6 {
            let e = Double(epoch)
            csv += "\(epoch),\(0.001 * (1 + cos(e / 6 * .pi)) / 2),\(0.9 / e + Double(fold) * 0.01),"
                + "\(1.0 / e + 0.05),\(0.6 + 0.05 * e - Double(fold) * 0.01)\n"
        }
        return try dir.write("train\(fold)/metrics.csv", csv).path
    }

    func png(_ name: String, red: UInt8) throws -> String {
        let path = dir.file(name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let pixels: [UInt8] = (0..<(16 * 16)).flatMap { index -> [UInt8] in [red, UInt8(index % 256), 40] }
        try PNGFile.write(PixelImage(width: 16, height: 16, channels: 3, pixels: pixels), path: path)
        return path
    }

    /// A tile -> train (2 folds) -> validate pipeline whose tasks all ran,
    /// with a description and a task name that need escaping.
    func fullSnapshot() throws -> ReportSnapshot {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let sweep = try dir.write("validate/sweep.json", #"{"thresholds": [0.3, 0.4, 0.5, 0.6], "dice": [0.86, 0.9, 0.89, 0.8]}"#)
        let nodes: [ReportSnapshot.Node] = [
            .init(name: "data.train", kind: "data", inputs: []),
            .init(name: "tile", kind: "tile", inputs: ["data.train"]),
            .init(name: "train", kind: "train", inputs: ["tile"]),
            .init(name: "validate", kind: "validate", inputs: ["train", "tile"]),
        ]
        let tasks: [ReportSnapshot.Task] = [
            .init(stage: "tile", task: "tile[<img&1>]", status: .cached, seconds: 4, started: start.addingTimeInterval(-900),
                  metrics: .object(["tiles": .int(12)]), files: ["preview.png": try png("tile/preview.png", red: 200)]),
            .init(stage: "train", task: "train[0]", status: .ran, seconds: 9, started: start.addingTimeInterval(1),
                  metrics: .object(["seconds": .double(125)]), files: ["metrics.csv": try curve(fold: 0)]),
            .init(stage: "train", task: "train[1]", status: .ran, seconds: 8, started: start.addingTimeInterval(1.5),
                  files: ["metrics.csv": try curve(fold: 1)]),
            .init(stage: "validate", task: "validate", status: .ran, seconds: 2, started: start.addingTimeInterval(11),
                  metrics: .object(["cv_dice_image": .double(0.9)]),
                  files: ["sweep.json": sweep.path, "overlays/worst-1.png": try png("validate/o1.png", red: 10),
                          "overlays/worst-2.png": try png("validate/o2.png", red: 90)]),
        ]
        let run = ReportSnapshot.Run(id: 7, started: start, finished: start.addingTimeInterval(14), status: "ok")
        let versions: [ReportSnapshot.Version] = [
            .init(name: "v1", parent: nil, changes: [], seconds: 30, cv: 0.88, lb: 0.90, description: nil, note: "baseline"),
            .init(name: "v2", parent: "v1", changes: ["train.lr 0.001 -> 0.0005"], seconds: 14, cv: 0.9, lb: nil,
                  description: "lower <lr>", note: nil),
        ]
        return ReportSnapshot(pipeline: "v2", description: "a <script>alert(1)</script> & more", nodes: nodes, run: run,
                              tasks: tasks, workRun: run, workTasks: tasks, versions: versions)
    }
}

/// The number of times `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// True when the page names no remote resource.
func hasNoExternalURL(_ html: String) -> Bool {
    !html.contains("http://") && !html.contains("https://") && !html.contains("src=\"//") && !html.contains("href=\"//")
}
