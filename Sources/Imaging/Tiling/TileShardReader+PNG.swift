extension TileShardReader {
    /// Writes the first `limit` tiles as `<prefix>_g<grid>_x<x>_y<y>.png` and
    /// their masks (0/255) as `..._mask.png` into `directory`; returns how many tiles.
    public func exportPNG(to directory: String, prefix: String, limit: Int = .max) throws -> Int {
        let exported = min(count, max(0, limit))
        for index in 0..<exported {
            let entry = entries[index]
            let name = "\(directory)/\(prefix)_g\(entry.grid)_x\(entry.x)_y\(entry.y)"
            try withTile(index) { rgb, mask in
                try PNGFile.write(PixelImage(width: size, height: size, channels: 3, pixels: Array(rgb)), path: "\(name).png")
                try PNGFile.write(PixelImage(width: size, height: size, channels: 1, pixels: mask.map { $0 * 255 }),
                                  path: "\(name)_mask.png")
            }
        }
        return exported
    }
}
