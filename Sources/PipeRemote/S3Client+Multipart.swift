import Crypto
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension S3Client {
    /// Uploads the file at `path` under `key`: one PUT up to `threshold` bytes,
    /// a multipart upload of `partSize` parts (at most `width` at once) above it.
    /// Each part carries its own SHA-256, so S3 checks every byte; a failed
    /// multipart upload is aborted, so no partial object is ever visible.
    public func upload(_ key: String, file path: String, expected: String? = nil, threshold: Int64 = 16 << 20,
                       partSize: Int64 = 8 << 20, width: Int = 4) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw RemoteError(.configuration, "cannot read \(path) to upload it") }
        let size = Int64(info.st_size)
        if size <= threshold {
            guard let data = FileManager.default.contents(atPath: path), Int64(data.count) == size else {
                throw RemoteError(.configuration, "cannot read \(path) to upload it")
            }
            try put(key, body: data, expected: expected)
            return
        }
        let id = try S3XML.uploadID(try send("POST", key: key, query: [("uploads", "")], kind: "POST").body)
        let count = Int((size + partSize - 1) / partSize)
        let outcomes = ParallelWork.map(Array(1...count), width: width) { number -> Result<String, Error> in
            Result {
                let offset = Int64(number - 1) * partSize
                let data = try Self.read(path, offset: offset, length: min(partSize, size - offset))
                let response = try send("PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", id)],
                                        body: data, kind: "PUT")
                guard let etag = response.header("ETag") else {
                    throw RemoteError(.integrity, "s3://\(bucket)/\(key): the server accepted part \(number) without an ETag")
                }
                return etag
            }
        }
        do {
            let etags = try outcomes.map { try $0.get() }
            let body = S3XML.lock.withLock {
                let root = XMLElement(name: "CompleteMultipartUpload")
                for (index, etag) in etags.enumerated() {
                    let part = XMLElement(name: "Part")
                    part.addChild(XMLElement(name: "PartNumber", stringValue: "\(index + 1)"))
                    part.addChild(XMLElement(name: "ETag", stringValue: etag))
                    root.addChild(part)
                }
                return Data(XMLDocument(rootElement: root).xmlString.utf8)
            }
            let response = try send("POST", key: key, query: [("uploadId", id)], body: body, kind: "POST")
            // S3 may answer 200 with an error body when completing fails late.
            if let failure = S3XML.error(response.body) {
                throw RemoteError(.unavailable, "s3://\(bucket)/\(key): completing the upload failed (\(failure.code))")
            }
        } catch {
            _ = try? send("DELETE", key: key, query: [("uploadId", id)], kind: "DELETE")
            throw error
        }
    }

    static func read(_ path: String, offset: Int64, length: Int64) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RemoteError(.configuration, "cannot read \(path) to upload it")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: Int(length)) ?? Data()
        guard Int64(data.count) == length else {
            throw RemoteError(.configuration, "\(path) changed size while it was being uploaded")
        }
        return data
    }
}
