/// An smp encoder: from an `[n, 3, h, w]` batch, the feature maps the decoder
/// consumes, finest first: the input itself, then strides 2, 4, 8, 16, 32,
/// cut to `depth + 1` entries (smp's `EncoderMixin.forward`).
protocol SegmentationEncoder: AnyObject {
    /// Channels of each returned feature (smp's `out_channels[: depth + 1]`).
    var outChannels: [Int] { get }
    /// The features of `x` in the store's current mode (train or eval).
    func features(_ x: Variable) -> [Variable]
}

/// A convolution followed by batch norm, registered under two sibling scopes
/// (`conv1`/`bn1` in torchvision, `0`/`1` in smp's `Conv2dReLU`). In eval
/// mode it runs as one convolution with the batch norm folded in.
final class ConvBatchNorm {
    let conv: Conv2d
    let bn: BatchNorm2d
    let cache: InferenceCache
    private var folded: (generation: Int, weight: Variable, bias: Variable, prepared: PreparedWeights)?

    init(conv convScope: Scope, bn bnScope: Scope, cache: InferenceCache, in inChannels: Int, out outChannels: Int, kernel: Int,
         options: Conv2dOptions = Conv2dOptions(), eps: Float = 1e-5, momentum: Float = 0.1) {
        conv = Conv2d(convScope, inChannels: inChannels, outChannels: outChannels, kernelSize: Size2d(kernel, kernel),
                      options: options, bias: false)
        bn = BatchNorm2d(bnScope, features: outChannels, eps: eps, momentum: momentum)
        self.cache = cache
    }

    /// smp's `Conv2dReLU(in, out, kernel, padding)` under `scope.0` (conv) and `scope.1` (batch norm).
    convenience init(sequential scope: Scope, cache: InferenceCache, in inChannels: Int, out outChannels: Int, kernel: Int, padding: Int) {
        self.init(conv: scope.child(0), bn: scope.child(1), cache: cache, in: inChannels, out: outChannels, kernel: kernel,
                  options: Conv2dOptions(padding: .explicit(Padding2d(integerLiteral: padding))))
    }

    /// `activation(bn(conv(x)) + residual)`; in eval mode one fused convolution.
    func callAsFunction(_ x: Variable, residual: Variable? = nil, activation: Activation = .identity) -> Variable {
        guard cache.inference else { return bn(conv(x), residual: residual, activation: activation) }
        let f = foldedParameters()
        return conv2d(x, weight: f.weight, bias: f.bias, options: conv.options, residual: residual, activation: activation,
                      prepared: f.prepared)
    }

    /// The block applied to `concat([upsampleNearest(x), skip])` (just the
    /// upsampled `x` without a skip); in eval mode that input is never stored
    /// when the direct 3x3 kernel takes the convolution.
    func callAsFunction(upsampling x: Variable, concat skip: Variable?, activation: Activation) -> Variable {
        guard cache.inference else {
            return self(skip.map { upsampleNearestConcat(x, $0) } ?? upsampleNearest(x), activation: activation)
        }
        let f = foldedParameters()
        return conv2d(upsampling: x, concat: skip, weight: f.weight, bias: f.bias, options: conv.options, activation: activation,
                      prepared: f.prepared)
    }

    /// The eval-mode weight and bias with batch norm folded in, and the forms the
    /// convolution derives from that weight, recomputed when the weights may have changed.
    private func foldedParameters() -> (weight: Variable, bias: Variable, prepared: PreparedWeights) {
        if folded?.generation != cache.generation {
            let f = foldBatchNorm(weight: conv.weight.value, bias: conv.bias?.value, bn: bn)
            folded = (cache.generation, Variable(f.weight), Variable(f.bias), PreparedWeights())
        }
        return (folded!.weight, folded!.bias, folded!.prepared)
    }
}
