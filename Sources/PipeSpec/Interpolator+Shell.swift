import PipeCore

extension Interpolator {
    /// `stages:` with `${params...}` substituted. In a field a kind declares a
    /// shell string (`cmd` of `command`), a string value gets every param
    /// shell-quoted for where it lands (see `interpolateShell`); elsewhere,
    /// and in an argv list, values pass unchanged.
    mutating func interpolateStages(_ node: SpecNode, registry: KindRegistry) -> SpecNode {
        guard case .mapping(let stages) = node.value else { return interpolate(node) }
        return SpecNode(.mapping(stages.map { stage in
            var stage = stage
            guard case .mapping(let members) = stage.value.value else {
                stage.value = interpolate(stage.value)
                return stage
            }
            let kind = members.first { $0.key == "kind" }.map { interpolate($0.value).string } ?? nil
            let shellFields = Set(kind.flatMap { registry.stageKinds[$0] }?.fields.filter(\.isShellCommand).map(\.name) ?? [])
            stage.value = SpecNode(.mapping(members.map { member in
                var member = member
                member.value = shellFields.contains(member.key) ? interpolateShell(member.value) : interpolate(member.value)
                return member
            }), at: stage.value.location)
            return stage
        }), at: node.location)
    }

    /// A shell string with each `${params...}` replaced by its value quoted
    /// for the context it lands in (`ShellQuoteContext`), so the shell reads
    /// the value's exact bytes as literal text whatever they are. A `${` in
    /// the value is written `$${`, so the run-time pass (which substitutes
    /// `${item}`, `${deps...}`, `${stage...}` the same way) keeps it literal.
    /// A string that is exactly one reference to a list stays that list (an
    /// argv, whose items pass unchanged). Not a string: interpolated as usual.
    mutating func interpolateShell(_ node: SpecNode) -> SpecNode {
        guard case .scalar(.string(let text)) = node.value, text.contains("${"),
              let pieces = InterpolationPiece.scan(text),
              pieces.allSatisfy({ $0.isParam || $0.isRuntime || $0.isText }) else { return interpolate(node) }
        if pieces.count == 1, case .reference(let body) = pieces[0], body.hasPrefix("params.") {
            guard let value = param(body, at: node.location) else { return node }
            if value.items != nil { return interpolate(node) }
        }
        var scanner = ShellQuoteScanner()
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let literal):
                out += literal
                scanner.feed(literal.replacingOccurrences(of: "$${", with: "${"))
            case .reference(let body) where body.hasPrefix("params."):
                guard let value = param(body, at: node.location), spend(value, at: node.location) else { return node }
                guard let quoted = scanner.context.quote(value.json.display) else {
                    report(Self.unquotable(body, value: value.json.display, context: scanner.context), at: node.location)
                    return node
                }
                out += Self.escapingReferences(quoted, context: scanner.context)
                scanner.feed(quoted)
            case .reference(let body):
                out += "${\(body)}"
                scanner.feed("x")  // quoted at run time: to the shell, part of a word
            }
        }
        return SpecNode(.scalar(.string(out)), at: node.location)
    }

    /// Why a value cannot be substituted at this place of a shell string.
    static func unquotable(_ body: String, value: String, context: ShellQuoteContext) -> String {
        if value.unicodeScalars.contains("\0") {
            return "'${\(body)}' holds a NUL byte, which a shell command cannot carry; remove it from the value"
        }
        if case .unsafe(let place) = context {
            return "'${\(body)}' cannot be shell-quoted \(place)"
        }
        return "'${\(body)}' cannot be shell-quoted here"
    }

    /// Quoted text made inert for the run-time pass: `${` becomes `$${`, and
    /// a trailing `$` is kept from joining a following `{`.
    static func escapingReferences(_ quoted: String, context: ShellQuoteContext) -> String {
        var text = quoted.replacingOccurrences(of: "${", with: "$${")
        if text.hasSuffix("$") { text += context == .comment ? " " : "''" }
        return text
    }
}

extension InterpolationPiece {
    var isText: Bool { if case .text = self { return true }; return false }
    var isParam: Bool { if case .reference(let body) = self { return body.hasPrefix("params.") }; return false }
    var isRuntime: Bool { if case .reference(let body) = self { return Self.isRuntime(body) }; return false }
}
