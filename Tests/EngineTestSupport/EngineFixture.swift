import Foundation
import PipeCache
import PipeCore
import PipeEngine
import PipeSpec
import PipeStages
import TestSupport

/// A throw-away workspace with spec files and a cache, running specs through
/// the real loader and engine, in the style of llbuild's version-pair tests.
public struct EngineFixture {
    public let dir: TemporaryDirectory

    public init() throws { dir = try TemporaryDirectory("pipe-engine") }

    public var cacheRoot: String { dir.file(".pipe").path }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> URL { try dir.write(name, text) }

    public func load(_ name: String, overrides: [String] = []) throws -> PipelineSpec {
        try SpecLoader(registry: StageRegistry.standard.kinds).load(file: dir.file(name), overrides: overrides)
    }

    public func run(_ name: String, overrides: [String] = [], plan: Bool = false, force: Set<String> = [],
             until: String? = nil, jobs: Int = 2) async throws -> RunReport {
        let cache = try Cache(root: cacheRoot)
        let options = EngineOptions(jobs: jobs, forced: force, until: until, planOnly: plan, outputsRoot: dir.path,
                                    pipeVersion: "test")
        return try await Engine(spec: try load(name, overrides: overrides), cache: cache, registry: .standard,
                                options: options).execute()
    }

    public func remove() { dir.remove() }

    /// A fixture holding a copy of `examples/hello` under `hello/`.
    public static func hello() throws -> EngineFixture {
        let fixture = try EngineFixture()
        try FileManager.default.copyItem(at: PipeRepository.root.appendingPathComponent("examples/hello"),
                                         to: fixture.dir.file("hello"))
        return fixture
    }
}

extension RunReport {
    /// Names of the tasks with `status`, sorted.
    public func tasks(_ status: TaskStatus) -> [String] { tasks.filter { $0.status == status }.map(\.task).sorted() }

    public func reason(_ task: String) -> String? { tasks.first { $0.task == task }?.reason }
}

/// A three-stage pipeline (prep -> fold[0..2] -> summary) over a data directory.
public let basePipeline = #"""
    pipeline: p1
    params: {scale: 2, folds: [0, 1, 2]}
    data:
      raw: data
    stages:
      prep:
        kind: command
        deps: [data.raw]
        params: {scale: "${params.scale}"}
        cmd: "awk -v f=${stage.params.scale} '{ print $1 * f }' data/values.txt > scaled.txt"
        outs: [scaled.txt]
      fold:
        kind: command
        deps: [prep]
        foreach: "${params.folds}"
        cmd: >-
          awk -v k=${item} 'NR % 3 != k { s += $1 } END { printf "{\"sum\": %d}", s }'
          ${deps.prep}/scaled.txt > m.json
        outs: [m.json]
        metrics: m.json
      summary:
        kind: command
        deps: [fold]
        cmd: "cat ${deps.fold}/*/m.json > all.txt"
        outs: [all.txt]
    """#
