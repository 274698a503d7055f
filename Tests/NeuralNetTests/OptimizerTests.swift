import NeuralNet
import Testing

/// Optimizers, Lookahead, schedules and clipping against torch.optim
/// (scripts/nn/fixture_optim.py).
@Suite struct OptimizerTests {
    static func make(_ f: Fixture, _ named: [(name: String, variable: Variable)]) -> Optimizer {
        let lr = f.float("lr"), wd = f.float("weight_decay")
        let base: Optimizer
        switch f.params["name"] as! String {
        case "sgd":
            base = SGD(parameters: named, learningRate: lr, momentum: f.float("momentum"), dampening: f.float("dampening"),
                       nesterov: f.bool("nesterov"), weightDecay: wd)
        case let name:
            base = Adam(parameters: named, learningRate: lr, beta1: f.float("beta1"), beta2: f.float("beta2"),
                        eps: f.float("eps"), weightDecay: wd, decoupledWeightDecay: name == "adamw")
        }
        guard f.params["k"] != nil else { return base }
        return Lookahead(base, parameters: named, k: f.int("k"), alpha: f.float("alpha"))
    }

    static func parameters(_ f: Fixture) -> [(name: String, variable: Variable)] {
        [("p0", Variable(f.tensor("p0_init"), requiresGrad: true)), ("p1", Variable(f.tensor("p1_init"), requiresGrad: true))]
    }

    @Test(arguments: Fixture.load("optim", op: "optimizer"))
    func everyStepMatchesTorch(_ f: Fixture) {
        let named = Self.parameters(f)
        let opt = Self.make(f, named)
        for t in 0..<f.int("steps") {
            named[0].variable.grad = f.tensor("g0_\(t)")
            named[1].variable.grad = f.tensor("g1_\(t)")
            opt.step()
            #expect(close(named[0].variable.value, f.tensor("p0_\(t)"), atol: 2e-6, rtol: 2e-5), "\(f.name) step \(t) p0")
            #expect(close(named[1].variable.value, f.tensor("p1_\(t)"), atol: 2e-6, rtol: 2e-5), "\(f.name) step \(t) p1")
        }
        let state = opt.exportState()
        for (slot, torchName) in [("exp_avg", "exp_avg"), ("exp_avg_sq", "exp_avg_sq"), ("momentum_buffer", "momentum_buffer")] {
            guard let expected = f.tensors["state0_\(torchName)"] else { continue }
            #expect(close(state["p0.\(slot)"], expected, atol: 1e-6, rtol: 1e-5), "\(f.name) state \(slot)")
        }
    }

    /// Exporting state mid-run and importing it into a fresh optimizer continues bit-identically.
    @Test(arguments: Fixture.load("optim", op: "optimizer"))
    func stateRoundTripResumesExactly(_ f: Fixture) throws {
        let a = Self.parameters(f), optA = Self.make(f, a)
        let steps = f.int("steps"), cut = 4
        func feed(_ named: [(name: String, variable: Variable)], _ t: Int) {
            named[0].variable.grad = f.tensor("g0_\(t)")
            named[1].variable.grad = f.tensor("g1_\(t)")
        }
        for t in 0..<cut { feed(a, t); optA.step() }
        let b = Self.parameters(f)
        for (pa, pb) in zip(a, b) { pb.variable.value = pa.variable.value }
        let optB = Self.make(f, b)
        try optB.importState(optA.exportState())
        for t in cut..<steps { feed(a, t); optA.step(); feed(b, t); optB.step() }
        #expect(a[0].variable.value == b[0].variable.value && a[1].variable.value == b[1].variable.value)
    }

    @Test(arguments: Fixture.load("optim", op: "schedule"))
    func schedulesMatchTorch(_ f: Fixture) {
        let lr = f.float("lr")
        let schedule: LearningRateSchedule
        switch f.params["name"] as! String {
        case "step": schedule = .step(size: f.int("step_size"), gamma: f.float("gamma"))
        case "cosine": schedule = .cosine(total: f.int("total"), minLR: f.float("min_lr"))
        case "one_cycle": schedule = .oneCycle(total: f.int("total"), pctStart: f.float("pct_start"),
                                               divFactor: f.float("div_factor"), finalDivFactor: f.float("final_div_factor"))
        case "constant": schedule = .constant
        default: schedule = .warmup(steps: f.int("warmup"), startFactor: f.float("start_factor"), then: .constant)
        }
        let expected = (f.params["lrs"] as! [Double])
        for (t, e) in expected.enumerated() {
            let got = Double(schedule.learningRate(base: lr, step: t))
            #expect(abs(got - e) <= 1e-7 + 1e-5 * abs(e), "\(f.name) step \(t): \(got) vs \(e)")
        }
    }

    @Test(arguments: Fixture.load("optim", op: "clip_grad_norm"))
    func clipGradNormMatchesTorch(_ f: Fixture) {
        let ps = [Variable(Tensor(shape: f.tensor("g0").shape), requiresGrad: true),
                  Variable(Tensor(shape: f.tensor("g1").shape), requiresGrad: true)]
        ps[0].grad = f.tensor("g0"); ps[1].grad = f.tensor("g1")
        let norm = clipGradNorm(ps, maxNorm: f.float("max_norm"))
        #expect(abs(norm - f.float("total_norm")) < 1e-5)
        #expect(close(ps[0].grad, f.tensor("clipped0"), atol: 1e-6) && close(ps[1].grad, f.tensor("clipped1"), atol: 1e-6))
    }

    @Test(arguments: Fixture.load("optim", op: "clip_grad_value"))
    func clipGradValueMatchesTorch(_ f: Fixture) {
        let ps = [Variable(Tensor(shape: f.tensor("g0").shape), requiresGrad: true),
                  Variable(Tensor(shape: f.tensor("g1").shape), requiresGrad: true),
                  Variable(Tensor(shape: [2]), requiresGrad: true)]  // no gradient: left alone
        ps[0].grad = f.tensor("g0"); ps[1].grad = f.tensor("g1")
        clipGradValue(ps, limit: f.float("limit"))
        #expect(ps[0].grad == f.tensor("clipped0") && ps[1].grad == f.tensor("clipped1"))
        #expect(ps[2].grad == nil)
    }

    /// Once the first steps have allocated the slots (and Lookahead's first sync has copied its
    /// slow weights away from the initial values they shared), steps update parameters and
    /// optimizer state in place: the same storage before and after (no tensor allocated per step).
    @Test(arguments: Fixture.load("optim", op: "optimizer"))
    func stepsUpdateInPlace(_ f: Fixture) {
        let named = Self.parameters(f), opt = Self.make(f, named)
        func addresses() -> [UnsafePointer<Float>?] {
            let state = opt.exportState()
            return (named.map(\.variable.value) + state.keys.sorted().filter { $0.hasPrefix("p") }.map { state[$0]! })
                .map { $0.withUnsafeBufferPointer { UnsafePointer($0.baseAddress) } }
        }
        let warmup = f.params["k"] == nil ? 1 : f.int("k")
        for t in 0..<warmup {
            named[0].variable.grad = f.tensor("g0_\(t)"); named[1].variable.grad = f.tensor("g1_\(t)")
            opt.step()
        }
        let before = addresses()
        for t in warmup..<f.int("steps") {
            named[0].variable.grad = f.tensor("g0_\(t)"); named[1].variable.grad = f.tensor("g1_\(t)")
            opt.step()
        }
        #expect(addresses() == before)
    }
}
