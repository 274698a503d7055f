@testable import NeuralNet
import Testing
import TestSupport

/// Expects a 3x3, padding-1 `conv2d` of a random `input` with bias, residual
/// and activation fused (no gradient needed) to give exactly what the separate
/// ops give, for ReLU, SiLU and no activation.
func expectFusedEpilogueMatchesSeparateOps(input: [Int], outChannels o: Int, weightBound: Float, seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    let output = [input[0], o, input[2], input[3]], options = Conv2dOptions(padding: 1)
    let x = randomTensor(input, &rng), w = randomTensor([o, input[1], 3, 3], &rng, -weightBound, weightBound)
    let b = randomTensor([o], &rng), r = randomTensor(output, &rng)
    for activation in [Activation.relu, .silu, .identity] {
        let fused = conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: options,
                           residual: Variable(r), activation: activation)
        let separate = activation(conv2d(Variable(x), weight: Variable(w), bias: Variable(b), options: options) + Variable(r))
        #expect(fused.value == separate.value, "\(input), \(activation)")
    }
}
