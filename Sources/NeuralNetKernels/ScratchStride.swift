/// How far apart scratch matrices (or rows) are laid out.
public enum ScratchStride {
    /// Floats from one scratch matrix or row of `size` floats to the next: one
    /// cache line more than its size. Sizes are often multiples of 4 KB (256
    /// channels x 64 Winograd tiles, 16 images of 8x8 columns), and elements
    /// read or written together across them (a Winograd tile's 16, the rows
    /// OpenBLAS's packing reads a few columns of at a time) would otherwise all
    /// fall in the same L1 sets and evict one another.
    @inlinable public static func padded(_ size: Int) -> Int { size + 16 }
}
