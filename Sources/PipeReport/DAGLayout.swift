/// A layered layout of the pipeline DAG: each node's column is its
/// topological depth (longest path from a source), and nodes within a column
/// are ordered by the mean row of what they read, which keeps most edges short.
struct DAGLayout {
    struct Placed {
        var name: String
        var column: Int
        var row: Int
    }

    private(set) var placed: [String: Placed] = [:]
    private(set) var columns: [[String]] = []

    /// `nodes` as (name, inputs); inputs naming no node are ignored, and a
    /// cycle (which the spec loader rejects) cannot hang it.
    init(nodes: [(name: String, inputs: [String])]) {
        let inputs = Dictionary(nodes.map { ($0.name, $0.inputs) }, uniquingKeysWith: { a, _ in a })
        var depth: [String: Int] = [:]
        func depthOf(_ name: String, visiting: Set<String>) -> Int {
            if let known = depth[name] { return known }
            guard !visiting.contains(name) else { return 0 }
            let parents = (inputs[name] ?? []).filter { inputs[$0] != nil }
            let value = parents.map { depthOf($0, visiting: visiting.union([name])) + 1 }.max() ?? 0
            depth[name] = value
            return value
        }
        for node in nodes { _ = depthOf(node.name, visiting: []) }
        let width = (depth.values.max() ?? -1) + 1
        columns = Array(repeating: [], count: width)
        for node in nodes { columns[depth[node.name]!].append(node.name) }
        var rowOf: [String: Double] = [:]
        for column in columns.indices {
            let ordered = columns[column].enumerated().sorted { a, b in
                let ka = Self.barycenter(inputs[a.element] ?? [], rowOf) ?? Double(a.offset)
                let kb = Self.barycenter(inputs[b.element] ?? [], rowOf) ?? Double(b.offset)
                return ka == kb ? a.offset < b.offset : ka < kb
            }.map(\.element)
            columns[column] = ordered
            for (row, name) in ordered.enumerated() {
                rowOf[name] = Double(row)
                placed[name] = Placed(name: name, column: column, row: row)
            }
        }
    }

    var height: Int { columns.map(\.count).max() ?? 0 }

    static func barycenter(_ parents: [String], _ rows: [String: Double]) -> Double? {
        let known = parents.compactMap { rows[$0] }
        return known.isEmpty ? nil : known.reduce(0, +) / Double(known.count)
    }
}
