import Foundation

/// Where the windows sit along one axis of the reduced image and how much
/// each contributes to each pixel it covers.
///
/// Windows are edge-aligned: the first starts at 0, the next ones every
/// `window - overlap` pixels, and the last ends exactly at the image edge
/// (shifted back, overlapping its neighbour more). So no window reads past
/// the image except when the image is smaller than one window, which then
/// reads zeros beyond the edge (as `TiffReader.readWindow` does).
struct WindowAxis: Sendable, Equatable {
    /// Reduced pixels along the axis.
    let length: Int
    let window: Int
    /// The first pixel of each window, increasing.
    let starts: [Int]
    /// `weights[i][t]`: the weight of window i at its pixel t (0..<window), all positive where used.
    let weights: [[Float]]

    init(length: Int, window: Int, overlap: Int, blend: WindowBlend) {
        self.length = length
        self.window = window
        let step = window - overlap
        var starts = length <= window ? [0] : Array(stride(from: 0, to: length - window, by: step))
        if length > window { starts.append(length - window) }
        self.starts = starts
        switch blend {
        case .core:
            weights = starts.indices.map { i in
                (0..<window).map { t in Self.owner(of: starts[i] + t, starts: starts, window: window) == i ? 1 : 0 }
            }
        case .linear:
            let ramp = (0..<window).map { t in Float(min(t + 1, window - t)) / Float((window + 1) / 2) }
            weights = Array(repeating: ramp, count: starts.count)
        case .gaussian:
            let sigma = Double(window) / 8, centre = Double(window) / 2
            let bell = (0..<window).map { t in
                Float(max(exp(-pow(Double(t) + 0.5 - centre, 2) / (2 * sigma * sigma)), 1e-4))
            }
            weights = Array(repeating: bell, count: starts.count)
        }
    }

    /// The window whose centre is nearest pixel `p` (the earlier one on a tie): the window whose core holds it.
    static func owner(of p: Int, starts: [Int], window: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for (i, start) in starts.enumerated() {
            let distance = abs(2 * p + 1 - (2 * start + window))  // twice |pixel centre - window centre|
            if distance < bestDistance { best = i; bestDistance = distance }
        }
        return best
    }

    /// The pixel after the last one window `i` and the windows before it touch:
    /// pixels below the next window's start are final once window `i` is done.
    func settled(after i: Int) -> Int { i + 1 < starts.count ? starts[i + 1] : length }
}
