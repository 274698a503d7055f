/// # NeuralNet: float32 NCHW tensors, reverse-mode autograd, layers on OpenBLAS
///
/// Values are `Tensor` (shape + contiguous row-major `[Float]`, a value type).
/// Graph nodes are `Variable` (a class: `value`, `grad`, `requiresGrad`).
/// Every op is a free function taking and returning `Variable`s; its backward
/// is a closure written beside its forward. Call `loss.backward()` on a scalar
/// (or `y.backward(seed:)`), then read `grad` on the leaves (parameters, or
/// inputs made with `requiresGrad: true`). Leaves accumulate; interior nodes
/// keep no gradient. A node none of whose inputs needs a gradient records no
/// backward, so inference builds no graph.
///
/// Parameters and buffers live in a `ParameterStore` under PyTorch state-dict
/// names; layers register theirs through a `Scope` when built:
///
///     let store = ParameterStore(seed: 1)
///     let root = store.scope()                        // or store.scope("encoder")
///     let conv1 = Conv2d(root.child("conv1"), inChannels: 3, outChannels: 64, kernelSize: 7,
///                        options: Conv2dOptions(stride: 2, padding: 3), bias: false)
///     let bn1 = BatchNorm2d(root.child("bn1"), features: 64)  // bn1.weight, bn1.bias, bn1.running_mean, ...
///     store.training = true                           // model.train(); false = model.eval()
///     let y = relu(bn1(conv1(Variable(images))))
///     // store.stateDict() -> [(name, Tensor)]; try store.load([name: Tensor], strict: true)
///
/// Core signatures (all in this module):
///
///     public struct Tensor { shape: [Int]; storage: [Float]; init(shape:repeating:); init(shape:storage:) }
///     public final class Variable { init(_ value: Tensor, requiresGrad: Bool = false)
///                                   init(value:parents:backward:); func backward(seed: Tensor? = nil) }
///     public final class ParameterStore { parameters; buffers; training; rng; scope(_:); zeroGrad(); stateDict(); load(_:strict:) }
///     public struct Scope { child(_ name: String); child(_ index: Int); parameter(_:_:); buffer(_:_:) }
///     public func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil, options: Conv2dOptions = .init()) -> Variable
///     public func batchNorm2d(_ x: Variable, weight: Variable?, bias: Variable?, runningMean: Buffer?, runningVar: Buffer?,
///                             training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Variable
///     public func relu(_:) / sigmoid(_:) / silu(_:) -> Variable
///     public func add(_:_:) / multiply(_:_:) -> Variable      // also `+`, `*`; multiply broadcasts [n,c,1,1]
///
/// Parallelism: `Compute.current.threads` (task-local) workers split a batch
/// into contiguous chunks, each calling single-threaded OpenBLAS; results for
/// a given thread count are bit-identical run to run.
public enum NeuralNet {}
