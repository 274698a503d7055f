import Foundation

/// How the colour channels of a TIFF are stored (the layouts tifffile users meet).
public enum TiffLayout: String, Codable, Sendable, CaseIterable {
    /// One page, samples interleaved: tifffile shape (H, W, C).
    case contiguous = "contig"
    /// One page, PlanarConfiguration = separate: tifffile shapes (C, H, W) and (1, 1, C, H, W).
    case planar = "planar"
    /// One single-channel page per colour channel.
    case pagePerChannel = "pages"
}

/// One resolution level of a TIFF: the full-resolution image is level 0; pyramids add reduced levels
/// stored as SubIFDs or as further, smaller pages.
public struct TiffLevel: Sendable, Codable, Equatable {
    /// Where the level's directory lives.
    public enum Address: Sendable, Codable, Equatable, CustomStringConvertible {
        case page(Int)
        case subIFD(UInt64)
        public var description: String {
            switch self {
            case .page(let i): "page \(i)"
            case .subIFD(let o): "subifd at offset \(o)"
            }
        }
    }

    public var address: Address
    public var width: Int
    public var height: Int
    public var tiled: Bool
    /// Tile size, or (width, rows per strip) for striped levels.
    public var chunkWidth: Int
    public var chunkHeight: Int
    public var compression: TiffCompression
    public var predictor: Int
}

/// A directory of a pyramid file that is not one of its levels.
public struct TiffSkippedDirectory: Sendable, Codable, Equatable {
    public var address: TiffLevel.Address
    public var width: Int
    public var height: Int
    /// Why it is not a level, in the user's words ("a label image (its description says so)").
    public var reason: String
}

/// Everything `pipe image info` reports about a TIFF, read from its headers only.
public struct TiffInfo: Sendable, Codable, Equatable {
    public var path: String
    public var width: Int
    public var height: Int
    /// Colour channels the pipeline gets: 3 for colour data (RGB, RGBA with alpha dropped, palette,
    /// one page per channel), 1 for gray (MINISBLACK or MINISWHITE); 0 when pipe cannot decode the file.
    public var channels: Int
    /// Samples stored per pixel in the file (4 for RGBA, 3 for RGB, 1 per page for `.pagePerChannel`).
    public var samplesPerPixel: Int
    public var layout: TiffLayout
    /// The stored photometric interpretation: "gray", "miniswhite", "rgb", "rgba", "palette",
    /// "ycbcr" (JPEG, decoded to RGB), "separated (cmyk)", "lab", "mask" or "photometric N".
    public var photometric: String
    public var bigTIFF: Bool
    public var pages: Int
    public var levels: [TiffLevel]
    /// Bits per stored sample (8 and 16 are unpacked by pipe, scaled to 8 by `TiffReadOptions`' rule).
    public var bitsPerSample: Int = 8
    /// TIFF SampleFormat: 1 unsigned, 2 signed, 3 floating point.
    public var sampleFormat: Int = 1
    /// The Compression tag as stored (also for schemes `compression` names `other`).
    public var compressionCode: Int = 1
    /// Why pipe cannot decode the file, or nil when it can (then `levels` lists every level).
    public var problem: String? = nil
    /// Directories that looked like pyramid levels but are not, with the reason (thumbnail, label, ...).
    public var skipped: [TiffSkippedDirectory] = []

    public var tiled: Bool { levels[0].tiled }
    public var compression: TiffCompression { levels[0].compression }
}

/// TIFF compression schemes pipe reads and writes.
public enum TiffCompression: String, Codable, Sendable, CaseIterable {
    case none, lzw, deflate, jpeg, packbits, zstd, webp, lzma, other

    /// The libtiff COMPRESSION_* code.
    public var code: UInt16 {
        switch self {
        case .none: 1
        case .lzw: 5
        case .jpeg: 7
        case .deflate: 8
        case .packbits: 32773
        case .zstd: 50000
        case .webp: 50001
        case .lzma: 34925
        case .other: 0
        }
    }

    init(code: UInt16) {
        switch code {
        case 1: self = .none
        case 5: self = .lzw
        case 7: self = .jpeg
        case 8, 32946: self = .deflate
        case 32773: self = .packbits
        case 50000: self = .zstd
        case 50001: self = .webp
        case 34925: self = .lzma
        default: self = .other
        }
    }
}
