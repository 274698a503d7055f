import Foundation
import PipeCore
import PipeSpec

/// The nodes of a pipeline (path inputs, data generators, stages) in an
/// order where every node comes after what it reads. A pure function of the
/// spec; the spec loader has already rejected cycles and dangling references.
struct StageGraph {
    enum Node: Sendable {
        /// A file or directory the user owns: a `data:` path or a command's path dep.
        case path(name: String, url: URL, relativePath: String?)
        case generator(DataSourceSpec, kind: String, options: JSONValue)
        case stage(StageSpec)

        var name: String {
            switch self {
            case .path(let name, _, _): return name
            case .generator(let source, _, _): return source.reference
            case .stage(let stage): return stage.name
            }
        }
    }

    private(set) var order: [Node] = []
    private var edges: [String: [String]] = [:]

    static func nodeName(of reference: Reference) -> String { reference.description }

    init(spec: PipelineSpec, until: String?) throws {
        var nodes: [String: Node] = [:]
        for source in spec.data {
            switch source.source {
            case .path(let url):
                nodes[source.reference] = .path(name: source.reference, url: url,
                                                relativePath: Self.relative(url, to: spec.baseDirectory))
            case .generator(let kind, let options):
                nodes[source.reference] = .generator(source, kind: kind, options: options)
            }
        }
        for stage in spec.stages {
            nodes[stage.name] = .stage(stage)
            edges[stage.name] = stage.inputs.map(Self.nodeName(of:))
            for case .path(let written) in stage.inputs where nodes[written] == nil {
                let url = spec.baseDirectory.appendingPathComponent(written).standardizedFileURL
                let relative = written.hasPrefix("./") ? String(written.dropFirst(2)) : written
                nodes[written] = .path(name: written, url: url, relativePath: relative)
            }
        }
        var wanted = Set(nodes.keys)
        if let until {
            guard nodes[until] != nil, case .stage = nodes[until]! else {
                let hint = closestMatch(to: until, in: spec.stages.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw Diagnostic("--until names no stage '\(until)'\(hint)")
            }
            wanted = Self.ancestors(of: until, edges: edges)
        }
        // Depth-first topological order, stable in the order the spec lists things.
        var visited = Set<String>()
        func visit(_ name: String) {
            guard !visited.contains(name), let node = nodes[name] else { return }
            visited.insert(name)
            for input in edges[name] ?? [] { visit(input) }
            order.append(node)
        }
        for source in spec.data where wanted.contains(source.reference) { visit(source.reference) }
        for stage in spec.stages where wanted.contains(stage.name) { visit(stage.name) }
    }

    func inputs(of node: Node) -> [String] { edges[node.name] ?? [] }

    static func ancestors(of name: String, edges: [String: [String]]) -> Set<String> {
        var result: Set<String> = [name]
        var stack = [name]
        while let next = stack.popLast() {
            for input in edges[next] ?? [] where !result.contains(input) {
                result.insert(input)
                stack.append(input)
            }
        }
        return result
    }

    /// `url` relative to `base` when it lies inside it.
    static func relative(_ url: URL, to base: URL) -> String? {
        let path = url.standardizedFileURL.path, root = base.standardizedFileURL.path
        guard path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count + 1))
    }
}
