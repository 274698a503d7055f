import Foundation

/// The parsed header dict of a `.npy` file.
struct NpyHeader {
    var descr: String
    var shape: [Int]
    var count: Int
    /// Bytes per element.
    var elementSize: Int
    private var kind: Character

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    init(parsing header: String, path: String) throws {
        func fail(_ message: String) -> CheckpointError { CheckpointError(.malformed, path: path, message) }
        guard let descr = Self.value(of: "descr", in: header).flatMap(Self.quoted) else {
            throw fail("header has no 'descr' string: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let order = Self.value(of: "fortran_order", in: header) else { throw fail("header has no 'fortran_order'") }
        if order.hasPrefix("True") {
            throw CheckpointError(.unsupported, path: path, "array is in Fortran order; save numpy.ascontiguousarray(x) instead")
        }
        guard order.hasPrefix("False") else { throw fail("'fortran_order' is neither True nor False") }
        guard let shapeText = Self.value(of: "shape", in: header), let shape = Self.tuple(shapeText) else {
            throw fail("header has no 'shape' tuple of non-negative integers")
        }
        let supported: [String: Int] = ["f4": 4, "f8": 8, "f2": 2, "i8": 8, "i4": 4, "u1": 1]
        let order0 = descr.first ?? " ", code = String(descr.dropFirst())
        guard ["<", "|", "="].contains(order0), let size = supported[code] else {
            throw CheckpointError(.unsupported, path: path, "dtype '\(descr)' is not supported; save the array as little-endian float32 (x.astype('<f4'))")
        }
        let count: Int
        switch TensorLimits.elementCount(shape, elementSize: size) {
        case .success(let n): count = n
        case .failure(let limit): throw CheckpointError(.malformed, path: path, "header field 'shape': \(limit.message)")
        }
        self.descr = descr
        self.shape = shape
        self.count = count
        self.elementSize = size
        self.kind = code.first!
    }

    /// Decodes `count` elements at `source` into float32.
    func decode(_ source: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        switch (kind, elementSize) {
        case ("f", 4): SafetensorsDType.f32.decode(source, count: count, into: out)
        case ("f", 8): SafetensorsDType.f64.decode(source, count: count, into: out)
        case ("f", 2): SafetensorsDType.f16.decode(source, count: count, into: out)
        case ("i", 8): SafetensorsDType.i64.decode(source, count: count, into: out)
        case ("i", 4): SafetensorsDType.i32.decode(source, count: count, into: out)
        default: for i in 0..<count { out[i] = Float(source.load(fromByteOffset: i, as: UInt8.self)) }
        }
    }

    /// The text right after `'key':`, or nil.
    static func value(of key: String, in header: String) -> Substring? {
        for quote in ["'", "\""] {
            if let r = header.range(of: "\(quote)\(key)\(quote)") {
                let rest = header[r.upperBound...].drop { $0 == " " }
                guard rest.first == ":" else { return nil }
                return rest.dropFirst().drop { $0 == " " }
            }
        }
        return nil
    }

    /// The contents of a leading '...' or "..." literal.
    static func quoted(_ text: Substring) -> String? {
        guard let q = text.first, q == "'" || q == "\"" else { return nil }
        let body = text.dropFirst()
        guard let end = body.firstIndex(of: q) else { return nil }
        return String(body[..<end])
    }

    /// A leading `(a, b, )` tuple of non-negative integers.
    static func tuple(_ text: Substring) -> [Int]? {
        guard text.first == "(", let end = text.firstIndex(of: ")") else { return nil }
        let items = text[text.index(after: text.startIndex)..<end].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var out: [Int] = []
        for item in items {
            guard let n = Int(item), n >= 0 else { return nil }
            out.append(n)
        }
        return out
    }
}
