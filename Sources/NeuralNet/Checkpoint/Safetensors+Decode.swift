import Foundation

/// One validated header entry: where a tensor's bytes are and how to read them.
struct SafetensorsHeaderEntry {
    var name: String
    var dtype: SafetensorsDType
    var shape: [Int]
    var begin: Int
    var end: Int
}

extension Safetensors {
    static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> SafetensorsArchive {
        func fail(_ message: String) -> CheckpointError { CheckpointError(.malformed, path: path, message) }
        guard raw.count >= 8 else {
            throw fail("file is \(raw.count) bytes, too short for the 8-byte header length; it is not a safetensors file or was truncated")
        }
        let declared = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maxHeaderLength), Int(declared) <= raw.count - 8 else {
            throw fail("header length \(declared) exceeds the \(raw.count - 8) bytes after it (limit \(maxHeaderLength)); the file is truncated or not safetensors")
        }
        let headerLength = Int(declared)
        let headerBytes = UnsafeRawBufferPointer(rebasing: raw[8..<8 + headerLength])
        let entries = try parseHeader(headerBytes, path: path)
        let data = UnsafeRawBufferPointer(rebasing: raw[(8 + headerLength)...])
        try checkLayout(entries.tensors, dataLength: data.count, path: path)

        var archive = SafetensorsArchive(metadata: entries.metadata)
        for e in entries.tensors {
            var values = [Float](repeating: 0, count: e.end - e.begin == 0 ? 0 : (e.end - e.begin) / e.dtype.size)
            values.withUnsafeMutableBufferPointer { dst in
                if let base = data.baseAddress, let out = dst.baseAddress {
                    e.dtype.decode(base + e.begin, count: dst.count, into: out)
                }
            }
            archive.names.append(e.name)
            archive.tensors[e.name] = Tensor(shape: e.shape, storage: values)
            archive.dtypes[e.name] = e.dtype
        }
        return archive
    }

    /// Parses the JSON header into entries sorted by offset, and the metadata.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (tensors: [SafetensorsHeaderEntry], metadata: [String: String]) {
        func fail(_ message: String) -> CheckpointError { CheckpointError(.malformed, path: path, message) }
        guard bytes.first == UInt8(ascii: "{") else {
            throw fail("header does not start with '{'; the file is not safetensors")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw fail("header is not valid JSON (\(error.localizedDescription)); the file is corrupt")
        }
        guard let top = object as? [String: Any] else { throw fail("header is not a JSON object") }
        var metadata: [String: String] = [:]
        var tensors: [SafetensorsHeaderEntry] = []
        for (name, value) in top {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("'__metadata__' is not an object of strings") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("'__metadata__' entry '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            tensors.append(try parseEntry(name, value, path: path))
        }
        tensors.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        return (tensors, metadata)
    }

    static func parseEntry(_ name: String, _ value: Any, path: String) throws -> SafetensorsHeaderEntry {
        func fail(_ message: String) -> CheckpointError { CheckpointError(.malformed, path: path, "tensor '\(name)': \(message)") }
        guard let dict = value as? [String: Any] else { throw fail("header entry is not an object") }
        guard let dtypeName = dict["dtype"] as? String else { throw fail("missing 'dtype'") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            let known = SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CheckpointError(.unsupported, path: path, "tensor '\(name)': dtype '\(dtypeName)' is not supported (readable: \(known)); convert it to F32 before export")
        }
        guard let shapeList = dict["shape"] as? [Any], let shape = nonNegativeInts(shapeList) else {
            throw fail("'shape' is not a list of non-negative integers")
        }
        guard let offsetList = dict["data_offsets"] as? [Any], let offsets = nonNegativeInts(offsetList), offsets.count == 2 else {
            throw fail("'data_offsets' is not a pair of non-negative integers")
        }
        let count: Int
        switch TensorLimits.elementCount(shape, elementSize: dtype.size) {
        case .success(let n): count = n
        case .failure(let limit): throw fail("'shape': \(limit.message)")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, offsets[0] <= offsets[1], offsets[1] - offsets[0] == bytes else {
            throw fail("data_offsets \(offsets) do not hold \(count) elements of \(dtype.rawValue) (\(bytes) bytes) for shape \(shape)")
        }
        return SafetensorsHeaderEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// The byte ranges, sorted by start, must tile `0..<dataLength` exactly.
    static func checkLayout(_ entries: [SafetensorsHeaderEntry], dataLength: Int, path: String) throws {
        var cursor = 0
        for e in entries {
            guard e.begin == cursor else {
                let what = e.begin < cursor ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw CheckpointError(.malformed, path: path, "tensor '\(e.name)' at bytes \(e.begin)..<\(e.end) \(what); the header is corrupt")
            }
            guard e.end <= dataLength else {
                throw CheckpointError(.malformed, path: path, "tensor '\(e.name)' ends at byte \(e.end) but the data holds \(dataLength) bytes; the file is truncated")
            }
            cursor = e.end
        }
        guard cursor == dataLength else {
            throw CheckpointError(.malformed, path: path, "\(dataLength - cursor) bytes after the last tensor belong to none; the header is corrupt")
        }
    }

    /// The elements as non-negative integers, or nil if any is not one (JSON booleans,
    /// which Foundation hands over as NSNumber with objCType "c", are rejected).
    static func nonNegativeInts(_ list: [Any]) -> [Int]? {
        var out: [Int] = []
        for item in list {
            guard let n = item as? NSNumber else { return nil }
            let d = n.doubleValue
            guard String(cString: n.objCType) != "c", d >= 0, d == d.rounded(), d < 9.0e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }
}
