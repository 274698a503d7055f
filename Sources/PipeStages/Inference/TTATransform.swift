import Foundation
import NeuralNet

/// A test-time augmentation: one of the eight symmetries of the square,
/// applied to the height and width axes of an `[n, c, h, w]` batch. The
/// rotations turn counter-clockwise like `torch.rot90(x, k, dims=(2, 3))`
/// and `np.rot90`; `transpose` swaps height and width.
public enum TTATransform: String, Sendable, CaseIterable, Codable {
    case none
    case flipH = "flip_h"
    case flipV = "flip_v"
    case transpose
    case rot90
    case rot180
    case rot270

    /// The names a spec and `--tta` accept.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Parses a comma-separated list (`flip_h,rot180`); throws naming an unknown entry.
    public static func list(_ text: String) throws -> [TTATransform] {
        try text.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let transform = TTATransform(rawValue: trimmed) else {
                throw StageError("unknown tta '\(trimmed)'; use \(names.joined(separator: ", "))")
            }
            return transform
        }
    }

    /// The transform that undoes this one.
    public var inverse: TTATransform {
        switch self {
        case .rot90: .rot270
        case .rot270: .rot90
        default: self
        }
    }

    /// Where output pixel (i, j) of an `h` x `w` plane reads from; the output
    /// plane is `w` x `h` for transpose and the quarter turns.
    func source(_ i: Int, _ j: Int, h: Int, w: Int) -> (Int, Int) {
        switch self {
        case .none: (i, j)
        case .flipH: (i, w - 1 - j)
        case .flipV: (h - 1 - i, j)
        case .transpose: (j, i)
        case .rot90: (j, w - 1 - i)
        case .rot180: (h - 1 - i, w - 1 - j)
        case .rot270: (h - 1 - j, i)
        }
    }

    var swapsAxes: Bool { self == .transpose || self == .rot90 || self == .rot270 }

    /// The transformed batch (a copy; `none` returns `x` itself).
    public func apply(_ x: Tensor) -> Tensor {
        guard self != .none else { return x }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = swapsAxes ? (w, h) : (h, w)
        var y = Tensor(shape: [n, c, oh, ow])
        var table = [Int](repeating: 0, count: oh * ow)
        for i in 0..<oh {
            for j in 0..<ow {
                let (si, sj) = source(i, j, h: h, w: w)
                table[i * ow + j] = si * w + sj
            }
        }
        x.withUnsafeBufferPointer { src in
            y.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<(n * c) {
                    let s = src.baseAddress! + plane * h * w, d = dst.baseAddress! + plane * oh * ow
                    for k in 0..<(oh * ow) { d[k] = s[table[k]] }
                }
            }
        }
        return y
    }
}
