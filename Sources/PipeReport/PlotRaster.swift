import Foundation
import Imaging

/// A tiny rasteriser that draws a `LineChart` into an RGB image, for the
/// `report-files/*.png` plots people paste into notes: white background,
/// plot frame, grid, numeric tick labels (a built-in 5x7 digit font), and
/// 2-px lines and dots in the chart's palette. Titles and legends stay in the
/// HTML; the file name says what is plotted and colours follow series order.
struct PlotRaster {
    let width: Int, height: Int
    private(set) var pixels: [UInt8]

    init(width: Int = 640, height: Int = 400) {
        self.width = width
        self.height = height
        pixels = Array(repeating: 255, count: width * height * 3)
    }

    var image: PixelImage { PixelImage(width: width, height: height, channels: 3, pixels: pixels) }

    /// Draws `chart` over the whole image.
    static func render(_ chart: LineChart, width: Int = 640, height: Int = 400) -> PixelImage {
        var raster = PlotRaster(width: width, height: height)
        let left = 64.0, right = 16.0, top = 16.0, bottom = 30.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let points = chart.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let frame = (x0: left, y0: top, x1: left + plotWidth, y1: top + plotHeight)
        guard !points.isEmpty else {
            raster.rectangle(x0: frame.x0, y0: frame.y0, x1: frame.x1, y1: frame.y1, color: (150, 150, 160))
            return raster.image
        }
        let xs = chart.xScale(points)
        let ys = LineChart.ticks(points.map(\.y), count: 5)
        func px(_ x: Double) -> Double { left + (x - xs.lower) / (xs.upper - xs.lower) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - ys.lower) / (ys.upper - ys.lower) * plotHeight }
        for tick in ys.values {
            raster.line(left, py(tick), left + plotWidth, py(tick), color: (225, 227, 232), thickness: 1)
            let label = LineChart.label(tick, step: ys.step)
            raster.text(label, x: Int(left) - 6 - label.count * 6, y: Int(py(tick)) - 3)
        }
        for tick in xs.values {
            let label = chart.xCategories == nil ? LineChart.label(tick, step: xs.step) : String(Int(tick) + 1)
            raster.text(label, x: Int(px(tick)) - label.count * 3, y: Int(top + plotHeight) + 8)
        }
        raster.rectangle(x0: frame.x0, y0: frame.y0, x1: frame.x1, y1: frame.y1, color: (150, 150, 160))
        if let marker = chart.marker {
            raster.line(px(marker.x), top, px(marker.x), top + plotHeight, color: (44, 160, 44), thickness: 1)
        }
        for (index, series) in chart.series.enumerated() {
            let color = Self.rgb(chart.color(of: index))
            let valid = series.points.filter { $0.x.isFinite && $0.y.isFinite }
            for (a, b) in zip(valid, valid.dropFirst()) {
                raster.line(px(a.x), py(a.y), px(b.x), py(b.y), color: color, thickness: 2, dashed: series.dashed)
            }
            if series.dots || valid.count == 1 {
                for point in valid { raster.dot(px(point.x), py(point.y), radius: 3, color: color) }
            }
        }
        return raster.image
    }

    static func rgb(_ hex: String) -> (UInt8, UInt8, UInt8) {
        let value = UInt32(hex.dropFirst(), radix: 16) ?? 0
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }

    mutating func set(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * 3
        pixels[index] = color.0
        pixels[index + 1] = color.1
        pixels[index + 2] = color.2
    }

    /// A line stepped one pixel at a time along its longer axis, `thickness`
    /// pixels wide; dashed lines draw 5 pixels of every 9.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: (UInt8, UInt8, UInt8), thickness: Int,
                       dashed: Bool = false) {
        let steps = max(Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)), 1)
        for step in 0...steps where !dashed || step % 9 < 5 {
            let t = Double(step) / Double(steps)
            let x = Int((x0 + (x1 - x0) * t).rounded()), y = Int((y0 + (y1 - y0) * t).rounded())
            for dx in 0..<thickness { for dy in 0..<thickness { set(x + dx - thickness / 2, y + dy - thickness / 2, color) } }
        }
    }

    mutating func rectangle(x0: Double, y0: Double, x1: Double, y1: Double, color: (UInt8, UInt8, UInt8)) {
        line(x0, y0, x1, y0, color: color, thickness: 1)
        line(x0, y1, x1, y1, color: color, thickness: 1)
        line(x0, y0, x0, y1, color: color, thickness: 1)
        line(x1, y0, x1, y1, color: color, thickness: 1)
    }

    mutating func dot(_ cx: Double, _ cy: Double, radius: Int, color: (UInt8, UInt8, UInt8)) {
        for dy in -radius...radius { for dx in -radius...radius where dx * dx + dy * dy <= radius * radius {
            set(Int(cx.rounded()) + dx, Int(cy.rounded()) + dy, color)
        } }
    }

    /// Draws digits, `.`, `-`, `+` and `e` with the 5x7 font (6 px advance); other characters leave a gap.
    mutating func text(_ string: String, x: Int, y: Int) {
        for (index, character) in string.enumerated() {
            guard let rows = Self.font[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<5 where bits & (0b10000 >> column) != 0 { set(x + index * 6 + column, y + row, (60, 60, 70)) }
            }
        }
    }

    static let font: [Character: [UInt8]] = [
        "0": [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        "1": [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "2": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        "3": [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
        "4": [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        "5": [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        "6": [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        "7": [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        "8": [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        "9": [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
        ".": [0, 0, 0, 0, 0, 0b01100, 0b01100],
        "-": [0, 0, 0, 0b11111, 0, 0, 0],
        "+": [0, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0],
        "e": [0, 0, 0b01110, 0b10001, 0b11111, 0b10000, 0b01110],
    ]
}
