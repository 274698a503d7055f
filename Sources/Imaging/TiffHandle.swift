import CTIFF
import Foundation

/// One libtiff `TIFF*` with its own error buffer. libtiff handles are not thread-safe, so a handle
/// is used by one thread at a time (the reader keeps a pool); it is closed when released.
final class TiffHandle: @unchecked Sendable {
    let tiff: OpaquePointer
    let path: String
    private let errors: UnsafeMutablePointer<ctiff_errors>
    /// Where the last scanline read stopped: the row `TIFFReadScanline` decodes next in sample plane
    /// `sample` without seeking (compressed strips cannot seek). nil after any other kind of read.
    var nextScanline: (sample: UInt16, row: Int)?

    /// Largest single allocation libtiff may make for us; a header claiming absurd sizes fails
    /// inside libtiff with an error instead of exhausting memory.
    static let maxLibtiffAllocation: Int64 = 1 << 30

    init(path: String, mode: String) throws(ImagingError) {
        errors = .allocate(capacity: 1)
        errors.initialize(to: ctiff_errors())
        guard FileManager.default.fileExists(atPath: path) else {
            errors.deallocate()
            throw ImagingError(.io, "no such file", path: path)
        }
        guard let t = ctiff_open(path, mode, errors, Self.maxLibtiffAllocation) else {
            let detail = Self.text(errors)
            errors.deallocate()
            throw ImagingError(mode.hasPrefix("r") ? .corrupt : .io,
                               mode.hasPrefix("r") ? "not a readable TIFF (\(detail.isEmpty ? "bad header" : detail))"
                                                   : "cannot create TIFF (\(detail))", path: path)
        }
        tiff = t
        self.path = path
    }

    deinit {
        TIFFClose(tiff)
        errors.deallocate()
    }

    /// The first libtiff error since the last `clearError()`, or a generic fallback.
    func lastError(_ fallback: String) -> String {
        let text = Self.text(errors)
        return text.isEmpty ? fallback : text
    }

    func clearError() {
        errors.pointee.count = 0
        errors.pointee.message.0 = 0
    }

    private static func text(_ e: UnsafeMutablePointer<ctiff_errors>) -> String {
        withUnsafeBytes(of: &e.pointee.message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    func u16(_ tag: UInt32) -> UInt16? {
        var v: UInt16 = 0
        return ctiff_get_u16(tiff, tag, &v) == 1 ? v : nil
    }

    func u16Defaulted(_ tag: UInt32) -> UInt16? {
        var v: UInt16 = 0
        return ctiff_get_u16_defaulted(tiff, tag, &v) == 1 ? v : nil
    }

    func u32(_ tag: UInt32) -> UInt32? {
        var v: UInt32 = 0
        return ctiff_get_u32(tiff, tag, &v) == 1 ? v : nil
    }

    /// Moves to a top-level directory (page) or to a SubIFD at a file offset.
    func select(_ address: TiffLevel.Address) throws(ImagingError) {
        clearError()
        let ok: Int32
        switch address {
        case .page(let index): ok = TIFFSetDirectory(tiff, UInt32(index))
        case .subIFD(let offset): ok = TIFFSetSubDirectory(tiff, offset)
        }
        guard ok == 1 else {
            throw ImagingError(.corrupt, "cannot read directory \(address) (\(lastError("bad IFD")))", path: path)
        }
    }
}
