import Foundation

/// numpy's `.npy` format (versions 1.0, 2.0 and 3.0): the magic `\x93NUMPY`,
/// a version, a little-endian header length, a Python-literal header dict
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (8, 3, 256, 256), }`,
/// then the raw elements.
///
/// Reading accepts C-ordered little-endian `f4`, `f8`, `f2`, `i8`, `i4`,
/// `u1` arrays and widens them to float32; it checks the header length, the
/// header fields, and that the data holds exactly `prod(shape)` elements.
/// Writing produces version 1.0, `<f4`, C order, which `np.load` reads.
public enum Npy {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the array at `url`.
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CheckpointError(.io, path: url.path, "cannot read .npy file: \(error.localizedDescription)")
        }
        return try decode(data, path: url.path)
    }

    /// Parses `.npy` bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> Tensor {
        try data.withUnsafeBytes { raw in try decode(raw, path: path) }
    }

    /// The bytes of a version 1.0 `.npy` file holding `tensor` as `<f4`.
    public static func encode(_ tensor: Tensor) -> Data {
        let dims = tensor.shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0]
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header.utf8)
        tensor.withUnsafeBufferPointer { SafetensorsDType.f32.encode($0, into: &out) }
        return Data(out)
    }

    /// Writes `tensor` as `.npy` (atomically).
    public static func write(_ tensor: Tensor, to url: URL) throws {
        do {
            try encode(tensor).write(to: url, options: .atomic)
        } catch {
            throw CheckpointError(.io, path: url.path, "cannot write .npy file: \(error.localizedDescription)")
        }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> Tensor {
        func fail(_ message: String) -> CheckpointError { CheckpointError(.malformed, path: path, message) }
        guard raw.count >= 10, Array(raw[0..<6]) == magic else {
            throw fail("does not start with the .npy magic '\\x93NUMPY'; save the array with numpy.save")
        }
        let major = raw[6]
        guard (1...3).contains(major) else {
            throw CheckpointError(.unsupported, path: path, ".npy version \(major).\(raw[7]) is not supported (1.0 to 3.0 are)")
        }
        let lengthSize = major == 1 ? 2 : 4
        guard raw.count >= 8 + lengthSize else { throw fail("file is truncated inside the header length") }
        let headerLength = major == 1
            ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let start = 8 + lengthSize
        guard headerLength <= raw.count - start else {
            throw fail("header length \(headerLength) exceeds the \(raw.count - start) bytes after it; the file is truncated")
        }
        let header = String(decoding: raw[start..<start + headerLength], as: UTF8.self)
        let parsed = try NpyHeader(parsing: header, path: path)
        let body = UnsafeRawBufferPointer(rebasing: raw[(start + headerLength)...])
        let expected = parsed.count * parsed.elementSize
        guard body.count == expected else {
            throw fail("data is \(body.count) bytes but shape \(parsed.shape) of '\(parsed.descr)' needs \(expected); the file is truncated or corrupt")
        }
        var values = [Float](repeating: 0, count: parsed.count)
        values.withUnsafeMutableBufferPointer { dst in
            if let src = body.baseAddress, let out = dst.baseAddress { parsed.decode(src, count: dst.count, into: out) }
        }
        return Tensor(shape: parsed.shape, storage: values)
    }
}
