import Imaging

/// Draws prediction against truth over the tissue, for `overlays/*.png`:
///
/// - truth only (missed glomerulus): green `(0, 255, 0)`,
/// - prediction only (false positive): magenta `(255, 0, 255)`,
/// - both (hit): white `(255, 255, 255)`,
///
/// each blended half and half over the image, with the outline of the truth
/// and of the prediction drawn opaque in their colours so thin misses show.
/// Background pixels keep the image as it is.
public enum OverlayRenderer {
    public static let truthColour: [UInt8] = [0, 255, 0]
    public static let predictionColour: [UInt8] = [255, 0, 255]
    public static let overlapColour: [UInt8] = [255, 255, 255]

    /// `rgb` interleaved (`width * height * 3`); `truth` and `predicted` one byte per pixel, non-zero = set.
    public static func render(rgb: [UInt8], truth: [UInt8], predicted: [UInt8], width: Int, height: Int) -> PixelImage {
        precondition(rgb.count == width * height * 3 && truth.count == width * height && predicted.count == width * height,
                     "overlay planes must match the size")
        var out = rgb
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                let t = truth[i] != 0, p = predicted[i] != 0
                guard t || p else { continue }
                let colour = t && p ? overlapColour : (t ? truthColour : predictionColour)
                let edge = (t && isEdge(truth, x, y, width, height)) || (p && isEdge(predicted, x, y, width, height))
                let edgeColour = t && isEdge(truth, x, y, width, height) ? truthColour : predictionColour
                for c in 0..<3 {
                    out[i * 3 + c] = edge ? edgeColour[c] : UInt8((Int(rgb[i * 3 + c]) + Int(colour[c]) + 1) / 2)
                }
            }
        }
        return PixelImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// Set pixel with a clear (or out-of-image) 4-neighbour.
    private static func isEdge(_ plane: [UInt8], _ x: Int, _ y: Int, _ width: Int, _ height: Int) -> Bool {
        x == 0 || y == 0 || x == width - 1 || y == height - 1
            || plane[y * width + x - 1] == 0 || plane[y * width + x + 1] == 0
            || plane[(y - 1) * width + x] == 0 || plane[(y + 1) * width + x] == 0
    }

    /// Thresholds probability bytes with the `DiceHistogram` rule.
    public static func threshold(_ probabilities: [UInt8], at t: Double) -> [UInt8] {
        probabilities.map { DiceHistogram.isPredicted($0, threshold: t) ? 1 : 0 }
    }
}
