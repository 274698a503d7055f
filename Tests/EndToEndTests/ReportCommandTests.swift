import Foundation
import TestSupport
import Testing

/// `pipe report` on the hello example after running v1 and v2, as a user would.
@Suite struct ReportCommandTests {
    static let headings = ["Pipeline DAG", "Timeline", "Learning curves", "Threshold sweep", "Worst-case overlays",
                           "Augmentation and tile previews", "Versions: CV vs LB"]

    /// A copy of examples/hello with both versions run and v1's LB recorded.
    static func helloWorkspace() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("pipe-report-e2e")
        let example = PipeBinary.repositoryRoot.appendingPathComponent("examples/hello")
        for item in try FileManager.default.contentsOfDirectory(atPath: example.path) {
            try FileManager.default.copyItem(at: example.appendingPathComponent(item), to: dir.file(item))
        }
        for arguments in [["run", "v1.yaml"], ["run", "v2.yaml"], ["record", "hello-v1", "--lb", "0.5", "--note", "a <b> note"]] {
            let result = try PipeBinary.run(arguments, in: dir.path)
            guard result.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: ["stderr": result.stderr]) }
        }
        return dir
    }

    @Test func reportHasEverySectionAndNoExternalURL() throws {
        let dir = try Self.helloWorkspace()
        defer { dir.remove() }
        let result = try PipeBinary.run(["report", "v2.yaml", "-o", "out/report.html"], in: dir.path)
        #expect(result.status != 0)  // out/ does not exist: a clean error, not a crash
        #expect(result.stderr.contains("cannot write 'out/report.html'"))
        let ok = try PipeBinary.run(["report", "v2.yaml", "-o", "report.html"], in: dir.path)
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("wrote report.html"))
        let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
        for heading in Self.headings { #expect(html.contains("<h2>\(heading)</h2>")) }
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(html.contains("<g class=\"node ran\"><title>fold (command)"))
        #expect(html.contains("a &lt;b&gt; note"))
        #expect(html.contains("<tr class=\"current\"><td>hello-v2</td>"))
        #expect(html.contains("wall time"))
    }

    @Test func compareShowsBothVersions() throws {
        let dir = try Self.helloWorkspace()
        defer { dir.remove() }
        let result = try PipeBinary.run(["report", "--compare", "v1.yaml", "v2.yaml", "-o", "compare.html"], in: dir.path)
        #expect(result.status == 0)
        let html = try String(contentsOf: dir.file("compare.html"), encoding: .utf8)
        for heading in ["Parameter differences", "Metrics side by side", "Side by side", "Versions: CV vs LB"] {
            #expect(html.contains("<h2>\(heading)</h2>"))
        }
        #expect(html.contains("<td>params</td><td>scale</td><td>2</td><td>3</td>"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test func usageErrorsExitTwo() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let none = try PipeBinary.run(["report"], in: dir.path)
        #expect(none.status == 2)
        #expect(none.stderr.contains("give a spec, or --compare A B"))
        let one = try PipeBinary.run(["report", "--compare", "a.yaml"], in: dir.path)
        #expect(one.status == 2)
        #expect(one.stderr.contains("--compare takes exactly two specs"))
    }

    @Test func neverRunPipelineSaysNotRunYetAndCreatesNoCache() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("p.yaml", "pipeline: p\nstages:\n  make: {kind: command, cmd: \"true\", outs: []}\n")
        let result = try PipeBinary.run(["report", "p.yaml", "-o", "r.html"], in: dir.path)
        #expect(result.status == 0)
        let html = try String(contentsOf: dir.file("r.html"), encoding: .utf8)
        #expect(html.contains("<g class=\"node not-run\"><title>make (command)"))
        #expect(html.contains("not run yet: no task of this pipeline has run"))
        #expect(!FileManager.default.fileExists(atPath: dir.file(".pipe").path))
        #expect(!FileManager.default.fileExists(atPath: dir.file("r-files").path))
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Renders the page in headless Chromium (skipped without it) and checks
    /// the screenshot is a 1200x2000 PNG with real content.
    @Test(.enabled(if: toolAvailable(chromium != nil))) func chromiumRendersTheReport() throws {
        let dir = try Self.helloWorkspace()
        defer { dir.remove() }
        #expect(try PipeBinary.run(["report", "v2.yaml", "-o", "report.html"], in: dir.path).status == 0)
        let shot = dir.file("shot.png").path
        // `timeout` keeps a wedged browser from hanging the suite.
        _ = try runProcess("timeout", ["120", Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                            "--user-data-dir=\(dir.file("profile").path)", "--screenshot=\(shot)",
                                            "--window-size=1200,2000", dir.file("report.html").absoluteString])
        let data = try #require(FileManager.default.contents(atPath: shot))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        func be32(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 1200)
        #expect(be32(20) == 2000)
        #expect(data.count > 30_000)  // a blank page compresses to a few KB
    }
}
