/// `nn.Conv2d`: registers `weight` `[out, in/groups, kh, kw]` and, if `bias`,
/// `bias` `[out]` under its scope, initialised as PyTorch does
/// (uniform in ±1/sqrt(fan_in)).
public final class Conv2d {
    public let weight: Variable
    public let bias: Variable?
    public var options: Conv2dOptions

    public init(_ scope: Scope, inChannels: Int, outChannels: Int, kernelSize: Size2d,
                options: Conv2dOptions = Conv2dOptions(), bias: Bool = true) {
        let fanIn = inChannels / options.groups * kernelSize.h * kernelSize.w
        let bound = 1 / Float(fanIn).squareRoot()
        let shape = [outChannels, inChannels / options.groups, kernelSize.h, kernelSize.w]
        weight = scope.parameter("weight", scope.store.rng.uniformTensor(shape, -bound, bound))
        self.bias = bias ? scope.parameter("bias", scope.store.rng.uniformTensor([outChannels], -bound, bound)) : nil
        self.options = options
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, options: options)
    }
}

/// `nn.BatchNorm2d`: registers `weight`, `bias`, `running_mean`, `running_var`
/// and `num_batches_tracked` (a float scalar here; int64 in PyTorch). Uses
/// batch statistics and updates the running ones when the store is training
/// (with `momentum`, or as a cumulative average while the store's
/// `cumulativeBatchNormStatistics` is set).
public final class BatchNorm2d {
    public let weight: Variable
    public let bias: Variable
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let numBatchesTracked: Buffer
    public let momentum: Float
    public let eps: Float
    private let store: ParameterStore

    public init(_ scope: Scope, features: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = scope.parameter("weight", Tensor(shape: [features], repeating: 1))
        bias = scope.parameter("bias", Tensor(shape: [features]))
        runningMean = scope.buffer("running_mean", Tensor(shape: [features]))
        runningVar = scope.buffer("running_var", Tensor(shape: [features], repeating: 1))
        numBatchesTracked = scope.buffer("num_batches_tracked", Tensor(scalar: 0))
        self.eps = eps
        self.momentum = momentum
        store = scope.store
    }

    /// `activation(bn(x) + residual)` as one op (`batchNorm2d`).
    public func callAsFunction(_ x: Variable, residual: Variable? = nil, activation: Activation = .identity) -> Variable {
        if store.training { numBatchesTracked.value.storage[0] += 1 }
        let factor = store.training && store.cumulativeBatchNormStatistics ? 1 / numBatchesTracked.value.storage[0] : momentum
        return batchNorm2d(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                           training: store.training, momentum: factor, eps: eps, residual: residual, activation: activation)
    }
}
