/// # NeuralNet: float32 NCHW tensors, reverse-mode autograd, layers, losses and optimizers on OpenBLAS
///
/// **Values.** `Tensor` is a value type: `shape: [Int]` and `storage: [Float]`,
/// contiguous row-major (NCHW for images, OIHW for conv weights, as PyTorch).
///
/// **Graph.** `Variable` (a class) is a node: `value: Tensor`, `grad: Tensor?`,
/// `requiresGrad`. Every op is a free function on `Variable`s whose backward
/// closure sits beside its forward (`Ops+*.swift`). `loss.backward()` (scalar)
/// or `y.backward(seed: g)` fills `grad` on leaves (parameters, or inputs made
/// with `requiresGrad: true`); leaves accumulate until `zeroGrad()`; interior
/// nodes keep none. When no input needs a gradient no backward is recorded,
/// so inference builds no graph.
///
/// **Names.** A `ParameterStore` holds parameters and buffers under PyTorch
/// state-dict names; layers register theirs through a `Scope` when built:
///
///     let store = ParameterStore(seed: 1)
///     let enc = store.scope("encoder")
///     let conv1 = Conv2d(enc.child("conv1"), inChannels: 3, outChannels: 64, kernelSize: 7,
///                        options: Conv2dOptions(stride: 2, padding: 3), bias: false)   // encoder.conv1.weight
///     let bn1 = BatchNorm2d(enc.child("bn1"), features: 64)  // .weight .bias .running_mean .running_var .num_batches_tracked
///     let w = enc.child("layer1").child(0).parameter("conv1.weight", someTensor)         // any other tensor
///     store.training = true                                    // model.train(); false = model.eval()
///     let y = relu(bn1(conv1(Variable(images))))
///     store.stateDict()                                        // [(name: String, tensor: Tensor)], registration order
///     try store.load(["encoder.conv1.weight": t, ...], strict: true)   // throws NeuralNetError
///
/// **API** (exact signatures):
///
///     // Tensor, graph, names
///     Tensor(shape: [Int], repeating: Float = 0); Tensor(shape: [Int], storage: [Float]); Tensor(scalar: Float)
///     tensor.shape, .storage, .count, .scalar, .reshaped(_:), .withUnsafe(Mutable)BufferPointer(_:)
///     Variable(_ value: Tensor, requiresGrad: Bool = false)
///     Variable(value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> [Tensor?])   // custom ops
///     variable.backward(seed: Tensor? = nil)
///     ParameterStore(seed: UInt64 = 0): .parameters [(name, variable)], .buffers [(name, buffer)], .training, .rng,
///         .scope(_ prefix: String = "") -> Scope, .zeroGrad(), .stateDict(), .load(_:strict:) throws
///     Scope: .child(_ name: String), .child(_ index: Int), .qualified(_:), .parameter(_:_:) -> Variable, .buffer(_:_:) -> Buffer
///     Buffer: class with `var value: Tensor`
///     Conv2d(_ scope: Scope, inChannels: Int, outChannels: Int, kernelSize: Size2d, options: Conv2dOptions = .init(), bias: Bool = true)
///     BatchNorm2d(_ scope: Scope, features: Int, eps: Float = 1e-5, momentum: Float = 0.1)     // both callAsFunction(_ x: Variable);
///                                                                                              // BatchNorm2d's also takes residual:, activation:
///
///     // Ops (NCHW)
///     conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil, options: Conv2dOptions = Conv2dOptions()) -> Variable
///       Conv2dOptions(stride: Size2d = 1, padding: ConvPadding = 0, dilation: Size2d = 1, groups: Int = 1)
///       ConvPadding: .explicit(Padding2d(top:bottom:left:right:)) | .same (TensorFlow SAME) | integer literal
///     convTranspose2d(_ x: Variable, weight: Variable, bias: Variable? = nil, stride: Size2d = 1, padding: Size2d = 0,
///                     outputPadding: Size2d = 0, dilation: Size2d = 1, groups: Int = 1) -> Variable   // weight [in, out/g, kh, kw]
///     batchNorm2d(_ x: Variable, weight: Variable?, bias: Variable?, runningMean: Buffer?, runningVar: Buffer?,
///                 training: Bool, momentum: Float = 0.1, eps: Float = 1e-5,
///                 residual: Variable? = nil, activation: Activation = .identity) -> Variable   // activation(bn(x) + residual)
///     relu(_:), sigmoid(_:), silu(_:) -> Variable
///     add(_:_:), subtract(_:_:), multiply(_:_:) (b broadcasts: [n,c,1,1], [n,1,h,w], scalar), `+`, `*`,
///     scale(_:by:), sum(_:), mean(_:), reshape(_:_:), concat(_ xs: [Variable], axis: Int = 1)
///     linear(_ x: Variable, weight: Variable, bias: Variable? = nil)                         // [n,in] x [out,in]^T
///     maxPool2d(_ x: Variable, kernel: Size2d, stride: Size2d? = nil, padding: Size2d = 0)
///     avgPool2d(_ x: Variable, kernel: Size2d, stride: Size2d? = nil, padding: Size2d = 0)   // count_include_pad
///     adaptiveAvgPool2d(_ x: Variable, output: Size2d)
///     upsampleNearest(_ x: Variable, scale: Int = 2); upsampleBilinear(_ x: Variable, size: Size2d, alignCorners: Bool = false)
///     dropout(_ x: Variable, p: Float, training: Bool, rng: inout SplitMix64)
///     dropPath(_ x: Variable, p: Float, training: Bool, rng: inout SplitMix64)                // drop-connect
///
///     // Losses (logits in, scalar out)
///     bceWithLogits(_ logits: Variable, _ target: Tensor)
///     softDiceLoss / softJaccardLoss(_ logits: Variable, _ target: Tensor, perImage: Bool = false, smooth: Float = 1e-5)
///     bceJaccardLoss / bceDiceLoss(_ logits: Variable, _ target: Tensor, smooth: Float = 1e-5)
///     lovaszHingeLoss(_ logits: Variable, _ target: Tensor, perImage: Bool = true)
///     SegmentationLoss(rawValue: "bce" | "dice" | "jaccard" | "bce_jaccard" | "bce_dice" | "lovasz_hinge")!(logits, target)
///
///     // Optimizers (protocol Optimizer: learningRate, step(), exportState() -> [String: Tensor], importState(_:) throws)
///     SGD(parameters: store.parameters, learningRate: Float, momentum: Float = 0, dampening: Float = 0,
///         nesterov: Bool = false, weightDecay: Float = 0)
///     Adam(parameters:, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
///          weightDecay: Float = 0, decoupledWeightDecay: Bool = false);  Adam.adamW(parameters:..., weightDecay: 0.01)
///     Lookahead(_ inner: Optimizer, parameters: store.parameters, k: Int = 5, alpha: Float = 0.5)
///     LearningRateSchedule: .constant | .step(size:gamma:) | .cosine(total:minLR:) | .oneCycle(total:pctStart:divFactor:finalDivFactor:)
///                           | .warmup(steps:startFactor:then:);  .learningRate(base: Float, step: Int) -> Float
///     clipGradNorm(_ parameters: [Variable], maxNorm: Float) -> Float;  clipGradValue(_:limit:)
///     State names: "<param>.exp_avg", "<param>.exp_avg_sq", "<param>.momentum_buffer", "<param>.lookahead_slow",
///                  "step", "lookahead_step".
///
///     // Machine
///     Compute(threads: Int); Compute.$current.withValue(Compute(threads: 2)) { ... }   // task-local
///     OpenBLAS.ensureProperKernels()   // call first thing in main(): re-execs once with OPENBLAS_CORETYPE if needed
///     OpenBLAS.coreName, .configuration, .threads, .sgemm(m:n:k:alpha:a:b:beta:c:)
///
/// **Parallelism and determinism.** Batch ops (convolutions) split the images
/// into `Compute.current.threads` contiguous chunks run in parallel, each with
/// single-threaded OpenBLAS; a batch smaller than the thread count runs
/// serially with multi-threaded OpenBLAS. Weight gradients are summed over
/// workers in worker order; batch norm and elementwise ops parallelise over
/// channels/elements without changing any sum's order. So the same seed, data
/// order and thread count give bit-identical weights. OpenBLAS's thread count
/// is process-wide, so batch ops of concurrent tasks take turns (one lock).
///
/// **Convolution kernels.** im2col + one sgemm per image and group; a 1x1
/// stride-1 convolution is a plain sgemm; depthwise convolutions run direct
/// loops; 3x3 stride-1 padding-1 convolutions on planes of >= 2048 pixels
/// with 8...128 input channels run as nine shifted sgemms on a once-padded
/// input (no im2col). Column buffers come from a reused workspace pool.
public enum NeuralNet {}
