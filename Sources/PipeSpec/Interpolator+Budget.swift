import PipeCore

extension Interpolator {
    /// Nodes all substitutions of one spec may produce together. Params that
    /// reference params can multiply like YAML aliases (`b: [${params.a} x10]`,
    /// `c: [${params.b} x10]`, ...); past this the spec is refused before
    /// anything expands it.
    static let maxProduced = YAMLComposer.maxNodes

    /// Counts the nodes substituting `node` produces; false (reported once)
    /// when that passes `maxProduced`. Stops counting at the limit, so the
    /// cost is bounded however large the shared tree is.
    mutating func spend(_ node: SpecNode, at location: SourceLocation) -> Bool {
        var remaining = Self.maxProduced - produced
        func walk(_ node: SpecNode) -> Bool {
            remaining -= 1
            guard remaining >= 0 else { return false }
            switch node.value {
            case .scalar: return true
            case .sequence(let items): return items.allSatisfy(walk)
            case .mapping(let entries): return entries.allSatisfy { walk($0.value) }
            }
        }
        guard walk(node) else {
            if !exhausted {
                report("params expand to more than \(Self.maxProduced) values (each reference counts as what it "
                       + "stands for); reference smaller values or fewer times", at: location)
            }
            exhausted = true
            return false
        }
        produced = Self.maxProduced - remaining
        return true
    }
}
