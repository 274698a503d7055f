/// An smp segmentation model (Unet or Linknet over a ResNet or EfficientNet
/// encoder) whose parameters and buffers carry exactly smp's state-dict names
/// and shapes, so weights move both ways through safetensors.
///
///     let model = try SegmentationModel(SegmentationModelConfig(arch: .unet, encoder: .resnet18))
///     try model.load(Safetensors.read(contentsOf: url).tensors)    // strict, like PyTorch
///     model.training = false                                      // model.eval()
///     let logits = try model.forward(images)                      // [n, classes, h, w]
///
/// Training: set `training = true`, call `forward`, build a loss on the
/// logits, `loss.backward()` (or `logits.backward(seed:)`), then step an
/// optimizer over `parameters`. Not thread-safe; one model per task.
///
/// Eval mode is inference mode: it records no graph (like
/// `torch.inference_mode()`) and runs each conv + batch norm pair as one
/// convolution with the batch norm folded in. The folded weights are rebuilt
/// after any training-mode forward, `load`, or change of `training`; call
/// `weightsChanged()` after editing parameter values by hand in eval mode.
public final class SegmentationModel {
    public let config: SegmentationModelConfig
    /// Parameters and buffers under smp's names, and the train/eval flag.
    public let store: ParameterStore
    let encoder: SegmentationEncoder
    let decoder: SegmentationDecoder
    let head: Conv2d
    let cache: InferenceCache

    /// Builds the model with freshly initialised weights (as smp initialises
    /// them, drawn from a generator seeded with `seed`). Throws
    /// `NeuralNetError.invalidArgument` for a combination smp rejects.
    public init(_ config: SegmentationModelConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        store = ParameterStore(seed: seed)
        let cache = InferenceCache(store: store)
        self.cache = cache
        let root = store.scope()
        let depth = config.encoderDepth
        switch config.encoder {
        case .resnet18: encoder = ResNetEncoder(root.child("encoder"), cache: cache, blocks: [2, 2, 2, 2], depth: depth)
        case .resnet34: encoder = ResNetEncoder(root.child("encoder"), cache: cache, blocks: [3, 4, 6, 3], depth: depth)
        case .efficientnet:
            encoder = EfficientNetEncoder(root.child("encoder"), cache: cache, config: EfficientNetConfig(named: config.encoder.description)!, depth: depth)
        }
        let headScope = root.child("segmentation_head").child(0)
        switch config.arch {
        case .unet:
            decoder = UnetDecoder(root.child("decoder"), cache: cache, encoderChannels: encoder.outChannels, decoderChannels: config.decoderChannels)
            head = Conv2d(headScope, inChannels: config.decoderChannels.last!, outChannels: config.classes, kernelSize: 3,
                          options: Conv2dOptions(padding: 1))
        case .linknet:
            decoder = LinknetDecoder(root.child("decoder"), cache: cache, encoderChannels: encoder.outChannels, depth: depth)
            head = Conv2d(headScope, inChannels: LinknetDecoder.prefinalChannels, outChannels: config.classes, kernelSize: 1)
        }
        ModelInit.xavierUniform(head.weight, rng: &store.rng)
        ModelInit.zero(head.bias)
        store.training = true
    }

    /// PyTorch's `model.train()` (true, the initial state) / `model.eval()` (false).
    public var training: Bool {
        get { store.training }
        set {
            store.training = newValue
            cache.invalidate()
        }
    }

    /// Tells the model its parameter or buffer values were changed directly,
    /// so eval mode refolds batch norm into the convolutions.
    public func weightsChanged() { cache.invalidate() }

    /// Trainable parameters by state-dict name, for an optimizer.
    public var parameters: [(name: String, variable: Variable)] { store.parameters }

    /// The logits `[n, classes, h, w]` of a float32 `[n, 3, h, w]` batch in the
    /// current mode. Throws when the shape is not NCHW with 3 channels or the
    /// sides are not multiples of `config.inputMultiple` (as smp refuses them).
    public func forward(_ images: Tensor) throws -> Variable {
        try forward(Variable(images))
    }

    /// `forward` on a graph node (e.g. an input that needs a gradient).
    public func forward(_ x: Variable) throws -> Variable {
        let s = x.shape, m = config.inputMultiple
        guard s.count == 4, s[1] == 3 else {
            throw NeuralNetError(.shapeMismatch, "model input has shape \(s); expected [n, 3, h, w] float32 images")
        }
        guard s[0] > 0, s[2] > 0, s[3] > 0, s[2] % m == 0, s[3] % m == 0 else {
            let fix = [s[2], s[3]].map { ($0 + m - 1) / m * m }
            throw NeuralNetError(.shapeMismatch, "input height and width \(s[2])x\(s[3]) must be positive multiples of \(m) for encoder depth \(config.encoderDepth); pad to \(fix[0])x\(fix[1])")
        }
        if training { cache.invalidate() }
        let features = decoder.decode(encoder.features(x))
        return conv2d(features, weight: cache.use(head.weight), bias: cache.use(head.bias), options: head.options)
    }

    /// Recomputes every batch norm's running statistics from `batches`, as
    /// `torch.optim.swa_utils.update_bn` does: the statistics are reset, each
    /// batch runs forward in training mode, and the running mean and variance
    /// become the plain average of the batches' means and unbiased variances.
    /// Parameters are untouched; the training flag is restored. Running
    /// averages with a small momentum (EfficientNet's 0.01) lag far behind
    /// weights that are still moving; these match the weights as they are.
    public func recomputeBatchNormStatistics<Batches: Sequence<Tensor>>(over batches: Batches) throws {
        let wasTraining = training
        store.resetBatchNormStatistics()
        store.cumulativeBatchNormStatistics = true
        training = true
        defer {
            store.cumulativeBatchNormStatistics = false
            training = wasTraining
        }
        for batch in batches { _ = try forward(batch) }
    }

    /// Every parameter and buffer by smp name (PyTorch's `state_dict()` contents).
    public func stateDict() -> [(name: String, tensor: Tensor)] { store.stateDict() }

    /// Loads a state dict; `strict` (the default) requires exactly this model's
    /// names, like PyTorch's `load_state_dict(strict=True)`.
    public func load(_ state: [String: Tensor], strict: Bool = true) throws {
        try store.load(state, strict: strict)
        cache.invalidate()
    }
}
