import Foundation
import PipeCore

/// A spec file with its `extends` chain merged in.
struct SpecChain {
    var root: SpecNode
    var ancestors: [PipelineAncestor]
}

extension SpecLoadSession {
    /// Reads `url` and, recursively, the specs it extends; returns the merged
    /// document, or nil after reporting why it could not be read.
    /// `via` is the `extends` value that named this file; `visiting` the chain so far.
    mutating func loadChain(url: URL, display: String, via: SourceLocation?,
                            visiting: [(url: URL, display: String)]) -> SpecChain? {
        guard var root = readDocument(url: url, display: display, via: via) else { return nil }
        guard let extends = root.entry("extends"), !extends.value.isNull else {
            return SpecChain(root: root, ancestors: [])
        }
        guard let relative = extends.value.string else {
            report("'extends' must be the path of a parent spec, got \(extends.value.shapeDescription)",
                   at: extends.value.location)
            return nil
        }
        let parentURL = SpecPaths.resolve(relative, relativeTo: url.deletingLastPathComponent())
        let parentDisplay = SpecPaths.display(relative, besides: display)
        let chain = visiting + [(url, display)]
        if let start = chain.firstIndex(where: { $0.url.path == parentURL.path }) {
            let names = chain[start...].map(\.display) + [parentDisplay]
            report("extends cycle: \(names.joined(separator: " -> ")); remove one of these 'extends'",
                   at: extends.value.location)
            return nil
        }
        guard let parent = loadChain(url: parentURL, display: parentDisplay, via: extends.value.location,
                                     visiting: chain) else { return nil }
        var inherited = parent.root
        for own in ["pipeline", "description", "extends"] { inherited.remove(own) }
        root = SpecNode.mergedSpec(parent: inherited, child: root)
        let ancestor = PipelineAncestor(name: pipelineName(parent.root, url: parentURL), file: parentURL)
        return SpecChain(root: root, ancestors: [ancestor] + parent.ancestors)
    }

    /// Reads and composes one file; nil (after reporting) when it cannot be
    /// read, has a syntax error, or is not a mapping.
    private mutating func readDocument(url: URL, display: String, via: SourceLocation?) -> SpecNode? {
        let text: String
        do {
            text = try reader.read(url)
        } catch let invalid as InvalidUTF8 {
            let byte = "0x" + String(invalid.byte, radix: 16, uppercase: true)
            report("byte \(byte) is not UTF-8 text; save the spec as UTF-8",
                   at: SourceLocation(file: display, line: invalid.line, column: invalid.column))
            return nil
        } catch {
            let reason = Self.readFailure(error)
            if let via {
                report("cannot read extended spec '\(display)': \(reason); fix the 'extends' path", at: via)
            } else {
                report("cannot read spec '\(display)': \(reason)", at: nil)
            }
            return nil
        }
        let document = YAMLComposer.compose(text, file: display)
        diagnostics += document.diagnostics
        if document.failed { return nil }
        guard let root = document.root, root.entries != nil else {
            let location = document.root?.location ?? SourceLocation(file: display, line: 1, column: 1)
            report("a spec must be a mapping with 'stages' (and optionally 'pipeline', 'extends', 'params', 'data')",
                   at: location)
            return nil
        }
        return root
    }

    /// A short reason for a failed read: "no such file" rather than Foundation's sentence.
    static func readFailure(_ error: any Error) -> String {
        if let diagnostic = error as? Diagnostic { return diagnostic.message }
        if let cocoa = error as? CocoaError, cocoa.code == .fileReadNoSuchFile || cocoa.code == .fileNoSuchFile {
            return "no such file"
        }
        if let cocoa = error as? CocoaError, cocoa.code == .fileReadInapplicableStringEncoding
            || cocoa.code == .fileReadCorruptFile {
            return "not valid UTF-8 text"
        }
        if let posix = error as? POSIXError, posix.code == .ENOENT { return "no such file" }
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == CocoaError.fileReadNoSuchFile.rawValue {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}

extension SpecNode {
    /// A child spec merged onto its parent. Like `merged`, except that a data
    /// source switching to another form (`{synthetic: ...}` to `{path: ...}`)
    /// and a stage switching `kind` replace the parent's entry instead of
    /// mixing two schemas' keys.
    static func mergedSpec(parent: SpecNode, child: SpecNode) -> SpecNode {
        var parent = parent
        for section in ["data", "stages"] {
            guard var inherited = parent[section], inherited.entries != nil else { continue }
            for entry in child[section]?.entries ?? [] {
                guard let old = inherited[entry.key], replaces(old, with: entry.value, section: section) else { continue }
                inherited.set(entry.key, entry.value)
            }
            parent.set(section, inherited)
        }
        return merged(parent: parent, child: child)
    }

    private static func replaces(_ old: SpecNode, with new: SpecNode, section: String) -> Bool {
        guard let oldKeys = old.entries?.map(\.key), let newKeys = new.entries?.map(\.key) else { return false }
        if section == "data" { return Set(oldKeys).isDisjoint(with: newKeys) }
        guard let oldKind = old["kind"]?.string, let newKind = new["kind"]?.string else { return false }
        return oldKind != newKind
    }

    /// `child` deep-merged onto `parent`: mappings merge key by key (child
    /// wins), anything else (lists included) is replaced, and a `null` in the
    /// child deletes the key.
    static func merged(parent: SpecNode, child: SpecNode) -> SpecNode {
        guard var entries = parent.entries, let childEntries = child.entries else { return child }
        for entry in childEntries {
            let index = entries.firstIndex { $0.key == entry.key }
            if entry.value.isNull {
                if let index { entries.remove(at: index) }
            } else if let index {
                entries[index].value = merged(parent: entries[index].value, child: entry.value)
                entries[index].keyLocation = entry.keyLocation
            } else {
                entries.append(entry)
            }
        }
        return SpecNode(.mapping(entries), at: child.location)
    }
}
