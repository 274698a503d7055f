import Foundation
import Imaging
import PipeCore
import PipeEngine
@testable import PipeReport
import Testing

@Test func curveParsesColumnsInAnyOrderWithGaps() throws {
    let curve = try #require(TrainingCurve(task: "train[0]", csv: "val_dice, epoch ,lr\n0.5,1,0.01\n,2,0.005\n0.8,3,x\n"))
    #expect(curve.points("val_dice").map(\.x) == [1, 3])
    #expect(curve.points("val_dice").map(\.y) == [0.5, 0.8])
    #expect(curve.points("lr").map(\.y) == [0.01, 0.005])
    #expect(curve.points("train_loss").isEmpty)
    #expect(TrainingCurve(task: "t", csv: "epoch,lr\n") == nil)
}

@Test func curveWithoutEpochColumnCountsRows() throws {
    let curve = try #require(TrainingCurve(task: "t", csv: "train_loss\n0.9\n0.4\n"))
    #expect(curve.points("train_loss").map(\.x) == [1, 2])
}

@Test func sweepFindsTheBestThresholdAndRejectsMismatchedLists() throws {
    let sweep = try #require(ThresholdSweep(json: try JSONValue(parsing: #"{"thresholds": [0.3, 0.4, 0.5], "dice": [0.8, 0.9, 0.9]}"#)))
    #expect(sweep.best.threshold == 0.4)
    #expect(sweep.best.dice == 0.9)
    #expect(ThresholdSweep(json: try JSONValue(parsing: #"{"thresholds": [0.3], "dice": [0.8, 0.9]}"#)) == nil)
    #expect(ThresholdSweep(json: try JSONValue(parsing: #"{"thresholds": []}"#)) == nil)
}

@Test func layoutPutsNodesInColumnsByDepth() {
    let layout = DAGLayout(nodes: [("data.a", []), ("data.b", []), ("x", ["data.b"]), ("y", ["data.a"]),
                                   ("z", ["x", "y", "data.a"])])
    #expect(layout.columns.count == 3)
    #expect(layout.columns[0] == ["data.a", "data.b"])
    // y reads data.a (row 0), x reads data.b (row 1): ordered to avoid crossing.
    #expect(layout.columns[1] == ["y", "x"])
    #expect(layout.placed["z"]?.column == 2)
    #expect(layout.height == 2)
}

@Test func layoutSurvivesACycleAndUnknownInputs() {
    let layout = DAGLayout(nodes: [("a", ["b", "missing"]), ("b", ["a"])])
    #expect(layout.placed.count == 2)
}

@Test func ticksAreRoundAndCoverTheData() {
    let ticks = LineChart.ticks([0.12, 0.87], count: 5)
    #expect(ticks.step == 0.2)
    #expect(ticks.lower == 0)
    #expect(abs(ticks.upper - 1.0) < 1e-9)
    #expect(LineChart.label(0.4, step: 0.2) == "0.4")
    #expect(LineChart.label(0.0005, step: 0.0001) == "0.0005")
    #expect(LineChart.label(1e-18, step: 0.0002) == "0")
    let flat = LineChart.ticks([3, 3], count: 5)
    #expect(flat.lower < 3 && flat.upper > 3)
}

@Test func escapingCoversMarkupAndQuotes() {
    #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    #expect(HTML.duration(0.08) == "80ms")
    #expect(HTML.duration(75) == "1m15s")
}

@Test func chartOfNoPointsSaysSo() {
    let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [])])
    #expect(chart.svg.contains("no data"))
    #expect(!chart.svg.contains("<polyline"))
}

@Test func numbersForAttributesHaveNoTrailingZeros() {
    #expect(HTML.number(0.4) == "0.4")
    #expect(HTML.number(12) == "12")
    #expect(HTML.number(1.005) == "1" || HTML.number(1.005) == "1.01")
    #expect(HTML.number(-0.001) == "0")
    #expect(HTML.number(.nan) == "0")
}

@Test func plotRasterDrawsSeriesInTheirColours() {
    let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                          series: [.init(name: "a", points: [(x: 0, y: 0), (x: 1, y: 1)]),
                                   .init(name: "b", points: [(x: 0, y: 1), (x: 1, y: 0)])])
    let image = PlotRaster.render(chart, width: 200, height: 150)
    #expect(image.width == 200 && image.height == 150 && image.pixels.count == 200 * 150 * 3)
    func count(_ color: (UInt8, UInt8, UInt8)) -> Int {
        stride(from: 0, to: image.pixels.count, by: 3).filter {
            image.pixels[$0] == color.0 && image.pixels[$0 + 1] == color.1 && image.pixels[$0 + 2] == color.2
        }.count
    }
    #expect(count(PlotRaster.rgb(LineChart.palette[0])) > 100)
    #expect(count(PlotRaster.rgb(LineChart.palette[1])) > 100)
    #expect(count((60, 60, 70)) > 20)  // tick labels
    let frame = (75 * 200 + 64) * 3  // the left edge of the plot frame, half-way down
    #expect(Array(image.pixels[frame..<frame + 3]) == [150, 150, 160])
}

@Test func plotFileNamesAreSafe() {
    #expect(ReportPlots.fileName("train[0]") == "train-0")
    #expect(ReportPlots.fileName("a/../b c") == "a-..-b-c")
}

@Test func plotsAreWrittenAsPNGFilesForEveryChart() throws {
    let fixture = try ReportFixture()
    defer { fixture.remove() }
    let directory = fixture.dir.file("report-files").path
    let written = try ReportPlots.write(try fixture.fullSnapshot(), to: directory)
    #expect(written.map { ($0 as NSString).lastPathComponent }
        == ["train-loss.png", "train-dice.png", "train-lr.png", "validate-sweep.png", "versions-cv-lb.png"])
    for path in written {
        let size = try PNGFile.size(path: path)
        #expect(size.width == 640 && size.height == 400)
    }
    #expect(try ReportPlots.write(ReportSnapshot(pipeline: "p", nodes: []), to: fixture.dir.file("none").path).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: fixture.dir.file("none").path))
}

@Test func categoryAxisShowsEveryVersionEvenWithoutAPoint() {
    let chart = LineChart(title: "t", xLabel: "version", yLabel: "score",
                          series: [.init(name: "LB", points: [(x: 0, y: 0.5)], dots: true)], xCategories: ["v1", "v2", "v3"])
    #expect(chart.svg.contains(">v3</text>"))
    let scale = chart.xScale([(x: 0, y: 0.5)])
    #expect(scale.lower == -0.5 && scale.upper == 2.5 && scale.values == [0, 1, 2])
}

@Test func failedTaskIsPlacedAtTheEndOfItsRun() {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let tasks = [ReportSnapshot.Task(stage: "a", task: "a", status: .ran, seconds: 2, started: start),
                 ReportSnapshot.Task(stage: "b", task: "b", status: .failed, seconds: 3, started: nil)]
    let run = ReportSnapshot.Run(id: 1, started: start, finished: start.addingTimeInterval(10), status: "failed")
    let snapshot = ReportSnapshot(pipeline: "p", nodes: [.init(name: "a", kind: "command", inputs: []),
                                                         .init(name: "b", kind: "command", inputs: ["a"])],
                                  run: run, tasks: tasks, workRun: run, workTasks: tasks)
    let bars = TimelineSection.bars(snapshot)
    #expect(bars.map(\.start) == [0, 7])
    #expect(TimelineSection.html(snapshot).contains("<rect class=\"bar failed\""))
    #expect(DAGSection.svg(snapshot).contains("<g class=\"node failed\">"))
}
