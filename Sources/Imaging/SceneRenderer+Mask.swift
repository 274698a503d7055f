extension SceneRenderer {
    /// The Kaggle RLE of the glomeruli this renderer draws (benchmarks and tools
    /// that render a section without going through `SyntheticKidney`).
    public var maskRLE: String {
        PolygonRaster.rle(scene.polygons, width: scene.width, height: scene.height).encoded
    }
}
