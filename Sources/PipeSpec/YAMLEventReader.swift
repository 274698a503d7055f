import CYAML
import PipeCore

/// One libyaml event, copied out of C memory.
struct YAMLEvent {
    var type: yaml_event_type_t
    var location: SourceLocation
    var anchor: String?
    var tag: String?
    var value: String?
    var style: yaml_scalar_style_t
}

/// Pulls events from libyaml's parser (`yaml_parser_parse`) and turns its
/// errors into located diagnostics (`problem_mark`, 0-based, becomes 1-based).
struct YAMLEventReader {
    private let lines: [Substring]
    private let file: String
    private let columnOffset: Int
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let buffer: UnsafeMutablePointer<UInt8>

    init(text: String, file: String, columnOffset: Int = 0) {
        let bytes = Array(text.utf8)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.file = file
        self.columnOffset = columnOffset
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        buffer.initialize(from: bytes, count: bytes.count)
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        yaml_parser_initialize(parser)
        yaml_parser_set_input_string(parser, buffer, bytes.count)
        self.parser = parser
        self.buffer = buffer
        holder = Holder(parser: parser, buffer: buffer)
    }

    private let holder: Holder

    /// Frees the C parser when the last copy of the reader goes away.
    private final class Holder {
        let parser: UnsafeMutablePointer<yaml_parser_t>
        let buffer: UnsafeMutablePointer<UInt8>
        init(parser: UnsafeMutablePointer<yaml_parser_t>, buffer: UnsafeMutablePointer<UInt8>) {
            self.parser = parser
            self.buffer = buffer
        }
        deinit {
            yaml_parser_delete(parser)
            parser.deallocate()
            buffer.deallocate()
        }
    }

    mutating func next() throws(Diagnostic) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw syntaxError() }
        defer { yaml_event_delete(&event) }
        var result = YAMLEvent(type: event.type, location: location(event.start_mark), anchor: nil, tag: nil,
                               value: nil, style: YAML_ANY_SCALAR_STYLE)
        switch event.type {
        case YAML_ALIAS_EVENT: result.anchor = string(event.data.alias.anchor)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            result.anchor = string(scalar.anchor)
            result.tag = string(scalar.tag)
            result.style = scalar.style
            result.value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
        case YAML_SEQUENCE_START_EVENT:
            result.anchor = string(event.data.sequence_start.anchor)
            result.tag = string(event.data.sequence_start.tag)
        case YAML_MAPPING_START_EVENT:
            result.anchor = string(event.data.mapping_start.anchor)
            result.tag = string(event.data.mapping_start.tag)
        default: break
        }
        return result
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1 + columnOffset)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func syntaxError() -> Diagnostic {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = "yaml syntax error: \(problem)"
        if let context = p.context.map({ String(cString: $0) }) {
            message += " \(context)"
            if p.context_mark.line != p.problem_mark.line { message += " (started at line \(p.context_mark.line + 1))" }
        }
        if isTab(line: Int(p.problem_mark.line), column: Int(p.problem_mark.column)) {
            message += "; indent with spaces, not tabs"
        }
        return Diagnostic(message, at: location(p.problem_mark))
    }

    private func isTab(line: Int, column: Int) -> Bool {
        guard lines.indices.contains(line) else { return false }
        let text = Array(lines[line])
        return text.indices.contains(column) && text[column] == "\t"
    }
}
