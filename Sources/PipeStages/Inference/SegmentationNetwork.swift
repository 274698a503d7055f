import NeuralNet

/// Anything that maps a normalised image batch to one logit per pixel: a
/// trained `SegmentationModel`, or a small function in a test.
public protocol SegmentationNetwork {
    /// Logits `[n, 1, h, w]` of normalised images `[n, 3, h, w]`.
    func logits(_ images: Tensor) throws -> Tensor
}

extension SegmentationModel: SegmentationNetwork {
    /// The model's forward pass in eval mode (switching to it if needed: no graph, batch norm folded).
    public func logits(_ images: Tensor) throws -> Tensor {
        if training { training = false }
        return try forward(images).value
    }
}
