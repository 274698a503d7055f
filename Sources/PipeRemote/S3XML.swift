import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The two kinds of XML S3 answers that pipe reads, parsed with Foundation's
/// `XMLParser`: a ListObjectsV2 page and an error body. Everything is
/// treated as hostile: unknown elements are ignored, sizes are checked.
enum S3XML {
    /// Serializes every use of libxml2 (parsing and building) in this process.
    static let lock = NSLock()
    /// One page of ListObjectsV2.
    struct ListPage: Equatable {
        var keys: [(key: String, size: Int64)] = []
        var isTruncated = false
        var nextToken: String?

        static func == (a: ListPage, b: ListPage) -> Bool {
            a.keys.map(\.key) == b.keys.map(\.key) && a.keys.map(\.size) == b.keys.map(\.size)
                && a.isTruncated == b.isTruncated && a.nextToken == b.nextToken
        }
    }

    /// Parses a `ListBucketResult`; throws `.integrity` on anything that is not one.
    static func listPage(_ data: Data) throws -> ListPage {
        let collector = ElementCollector(recordUnder: "Contents")
        guard collector.parse(data), collector.root == "ListBucketResult", collector.closed else {
            throw RemoteError(.integrity, "the server's object listing is not a ListBucketResult")
        }
        var page = ListPage()
        for entry in collector.records {
            guard let key = entry["Key"], let size = entry["Size"].flatMap(Int64.init), size >= 0 else {
                throw RemoteError(.integrity, "the server's object listing has an entry without a key or a size")
            }
            page.keys.append((key, size))
        }
        page.isTruncated = collector.top["IsTruncated"] == "true"
        page.nextToken = collector.top["NextContinuationToken"]
        if page.isTruncated, page.nextToken?.isEmpty ?? true {
            throw RemoteError(.integrity, "the server's object listing is truncated but gives no continuation token")
        }
        return page
    }

    /// The `Code` and `Message` of an S3 error body, if it is one.
    static func error(_ data: Data) -> (code: String, message: String)? {
        let collector = ElementCollector(recordUnder: nil)
        guard !data.isEmpty, collector.parse(data), collector.root == "Error", let code = collector.top["Code"] else {
            return nil
        }
        return (code, collector.top["Message"] ?? "")
    }

    /// The `UploadId` of an InitiateMultipartUploadResult.
    static func uploadID(_ data: Data) throws -> String {
        let collector = ElementCollector(recordUnder: nil)
        guard collector.parse(data), collector.root == "InitiateMultipartUploadResult",
              let id = collector.top["UploadId"], !id.isEmpty else {
            throw RemoteError(.integrity, "the server's answer to starting a multipart upload has no UploadId")
        }
        return id
    }
}

/// Collects the text of the root's direct children (`top`) and of the
/// children of every `recordUnder` element (`records`).
private final class ElementCollector: NSObject, XMLParserDelegate {
    let recordUnder: String?
    var root: String?
    var top: [String: String] = [:]
    var records: [[String: String]] = []
    /// The root element was closed (the document was not cut short).
    var closed = false
    private var path: [String] = []
    private var text = ""
    private var current: [String: String]?

    init(recordUnder: String?) { self.recordUnder = recordUnder }

    func parse(_ data: Data) -> Bool {
        // libxml2 under FoundationXML is not safe to use from several threads at once on Linux.
        S3XML.lock.withLock {
            let parser = XMLParser(data: data)
            parser.shouldResolveExternalEntities = false
            parser.delegate = self
            return parser.parse()
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if path.isEmpty { root = name }
        path.append(name)
        text = ""
        if path.count == 2, name == recordUnder { current = [:] }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if text.utf8.count < 1 << 16 { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if path.count == 2 {
            if name == recordUnder, let record = current {
                records.append(record)
                current = nil
            } else {
                top[name] = text
            }
        } else if path.count == 3, current != nil {
            current?[name] = text
        }
        path.removeLast()
        if path.isEmpty { closed = true }
        text = ""
    }
}
