import Foundation
import PipeCore
import PipeEngine
@testable import PipeReport
import TestSupport
import Testing

@Suite struct ReportPageTests {
    @Test func fullPageHasEverySectionAndNoExternalURL() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let html = ReportPage.render(try fixture.fullSnapshot())
        for section in ReportPage.sections {
            #expect(html.contains("<section id=\"\(section.id)\">\n<h2>\(section.title)</h2>"))
        }
        #expect(hasNoExternalURL(html))
        #expect(!html.contains("<script"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("not run yet"))
    }

    @Test func userStringsAreEscaped() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let html = ReportPage.render(try fixture.fullSnapshot())
        #expect(html.contains("a &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        #expect(html.contains("tile[&lt;img&amp;1&gt;]"))
        #expect(html.contains("lower &lt;lr&gt;"))
        #expect(!html.contains("<img&1>"))
    }

    @Test func curvesSweepOverlaysAndPreviewsRenderFromTheirFiles() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let snapshot = try fixture.fullSnapshot()
        let curves = CurvesSection.html(snapshot)
        // loss (2 folds x train/val), Dice (2), lr (2) lines.
        #expect(occurrences(of: "<polyline", in: curves) == 8)
        #expect(curves.contains("<title>train[1] val</title>"))
        #expect(curves.contains("0.9000 (epoch 6)"))
        // a fold's time is its task's `seconds` metric (the record's), else the run's time for the task
        #expect(curves.contains(">2m05s</td>") && curves.contains(">8.0s</td>"), "\(curves)")
        let sweep = SweepSection.html(snapshot)
        #expect(sweep.contains("best 0.4: 0.9000"))
        #expect(occurrences(of: "<circle", in: sweep) == 4)
        let overlays = ImagesSection.overlays(snapshot)
        #expect(occurrences(of: "<img src=\"data:image/png;base64,iVBORw0KGgo", in: overlays) == 2)
        #expect(overlays.contains("<figcaption>validate: worst-1.png</figcaption>"))
        let previews = ImagesSection.previews(snapshot)
        #expect(occurrences(of: "data:image/png;base64,", in: previews) == 1)
    }

    @Test func sectionsWithoutFilesSayNotRunYet() {
        let snapshot = ReportSnapshot(pipeline: "p", nodes: [.init(name: "train", kind: "train", inputs: [])])
        let html = ReportPage.render(snapshot)
        for section in ReportPage.sections {
            #expect(html.contains("<section id=\"\(section.id)\">"))
        }
        #expect(occurrences(of: "not run yet", in: html) == 6)
        #expect(CurvesSection.html(snapshot).contains("epoch,lr,train_loss,val_loss,val_dice)"))
        #expect(DAGSection.html(snapshot).contains("<g class=\"node not-run\">"))
        #expect(hasNoExternalURL(html))
    }

    @Test func dagColoursNodesByStatusAndCountsFanOut() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let svg = DAGSection.svg(try fixture.fullSnapshot())
        #expect(svg.contains("<g class=\"node data\">"))
        #expect(svg.contains("<g class=\"node cached\">"))
        #expect(occurrences(of: "<g class=\"node ran\">", in: svg) == 2)
        #expect(svg.contains("2 tasks: 2 ran"))
        #expect(svg.contains("took 4.0s"))
        #expect(occurrences(of: "<path class=\"edge\"", in: svg) == 4)
    }

    @Test func failedTaskMakesItsNodeFailed() {
        let node = ReportSnapshot.Node(name: "fold", kind: "command", inputs: [])
        let tasks = [ReportSnapshot.Task(stage: "fold", task: "fold[0]", status: .ran, seconds: 1, started: nil),
                     ReportSnapshot.Task(stage: "fold", task: "fold[1]", status: .failed, seconds: 1, started: nil)]
        #expect(DAGSection.status(of: node, tasks: tasks) == "failed")
        #expect(DAGSection.status(of: node, tasks: [tasks[0]]) == "ran")
        #expect(DAGSection.status(of: node, tasks: []) == "not-run")
    }

    @Test func timelinePlacesTasksByRecordStartAndListsReusedOnes() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let bars = TimelineSection.bars(try fixture.fullSnapshot())
        #expect(bars.map(\.task) == ["tile[<img&1>]", "train[0]", "train[1]", "validate"])
        #expect(bars[0].start == nil)
        #expect(bars[1].start == 1)
        #expect(bars[3].start == 11)
        let html = TimelineSection.html(try fixture.fullSnapshot())
        #expect(occurrences(of: "<rect class=\"bar ran\"", in: html) == 3)
        #expect(html.contains("3 tasks did work, 1 reused"))
    }

    @Test func versionsPlotCVAndLBPerVersion() throws {
        let fixture = try ReportFixture()
        defer { fixture.remove() }
        let html = VersionsSection.html(try fixture.fullSnapshot(), highlight: ["v2"])
        #expect(html.contains("CV Dice and leaderboard per version"))
        #expect(occurrences(of: "<circle", in: html) == 3)
        #expect(html.contains("<tr class=\"current\"><td>v2</td>"))
        #expect(html.contains("-0.0200"))
    }
}
