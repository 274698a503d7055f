/// Weight initialisations smp and torchvision apply when they build a model
/// (only the distribution matters: pretrained or checkpoint weights replace them).
enum ModelInit {
    /// `kaiming_uniform_(mode="fan_in", nonlinearity="relu")`: U(±sqrt(6 / fan_in)).
    static func kaimingUniform(_ v: Variable, rng: inout SplitMix64) {
        let s = v.shape, fanIn = s.dropFirst().reduce(1, *)
        let bound = (6 / Float(fanIn)).squareRoot()
        v.value = rng.uniformTensor(s, -bound, bound)
    }

    /// `kaiming_normal_(mode="fan_out", nonlinearity="relu")`: N(0, 2 / fan_out), torchvision's ResNet init.
    static func kaimingNormalFanOut(_ v: Variable, rng: inout SplitMix64) {
        let s = v.shape, fanOut = s[0] * s.dropFirst(2).reduce(1, *)
        let std = (2 / Float(fanOut)).squareRoot()
        var t = Tensor(shape: s)
        for i in 0..<t.count { t.storage[i] = rng.normal() * std }
        v.value = t
    }

    /// `xavier_uniform_`: U(±sqrt(6 / (fan_in + fan_out))), smp's head init.
    static func xavierUniform(_ v: Variable, rng: inout SplitMix64) {
        let s = v.shape, receptive = s.dropFirst(2).reduce(1, *)
        let bound = (6 / Float(s[1] * receptive + s[0] * receptive)).squareRoot()
        v.value = rng.uniformTensor(s, -bound, bound)
    }

    /// All zeros (biases of smp's decoder and head).
    static func zero(_ v: Variable?) {
        guard let v else { return }
        v.value = Tensor(shape: v.shape)
    }
}
