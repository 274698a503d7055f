import Foundation
import NeuralNet
import Testing

/// One PyTorch reference case from scripts/nn/fixtures/*.json (made by
/// scripts/nn/make_fixtures.py): named tensors plus the op's parameters.
struct Fixture: CustomTestStringConvertible, @unchecked Sendable {  // immutable after load
    let name: String
    let op: String
    let params: [String: Any]
    let tensors: [String: Tensor]

    var testDescription: String { name }

    func tensor(_ key: String) -> Tensor { tensors[key]! }
    func int(_ key: String) -> Int { (params[key] as! NSNumber).intValue }
    func float(_ key: String) -> Float { (params[key] as! NSNumber).floatValue }
    func bool(_ key: String) -> Bool { (params[key] as! NSNumber).boolValue }
    func ints(_ key: String) -> [Int] { (params[key] as! [NSNumber]).map(\.intValue) }

    /// Variables for the named inputs, each requiring a gradient.
    func leaves(_ keys: [String]) -> [Variable] { keys.map { Variable(tensor($0), requiresGrad: true) } }

    /// Every case of one fixture file, optionally only those of one op.
    static func load(_ file: String, op: String? = nil) -> [Fixture] {
        let url = fixtureDirectory.appendingPathComponent(file + ".json")
        let data = try! Data(contentsOf: url)
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).compactMap { c in
            guard op == nil || c["op"] as? String == op else { return nil }
            let tensors = (c["tensors"] as! [String: [String: Any]]).mapValues { t in
                Tensor(shape: (t["shape"] as! [NSNumber]).map(\.intValue),
                       storage: (t["data"] as! [NSNumber]).map(\.floatValue))
            }
            return Fixture(name: c["name"] as! String, op: c["op"] as! String,
                           params: c["params"] as! [String: Any], tensors: tensors)
        }
    }

    static let fixtureDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/nn/fixtures")
}

import Testing

/// True when `actual` matches `expected` within `atol + rtol * |expected|` everywhere.
func close(_ actual: Tensor?, _ expected: Tensor, atol: Float = 1e-4, rtol: Float = 1e-4) -> Bool {
    guard let actual, actual.count == expected.count else { return false }
    for i in 0..<expected.count where abs(actual.storage[i] - expected.storage[i]) > atol + rtol * abs(expected.storage[i]) {
        return false
    }
    return true
}

/// Runs the forward on the fixture's inputs, back-propagates its `r`, and
/// checks `y` and every `grad_<input>` against PyTorch.
func checkAgainstFixture(_ f: Fixture, inputs: [String], atol: Float = 1e-4, rtol: Float = 1e-4,
                         _ forward: ([Variable]) -> Variable) {
    let vars = f.leaves(inputs)
    let y = forward(vars)
    #expect(y.shape == f.tensor("y").shape, "\(f.name): shape")
    #expect(close(y.value, f.tensor("y"), atol: atol, rtol: rtol), "\(f.name): forward")
    y.backward(seed: f.tensor("r"))
    for (name, v) in zip(inputs, vars) {
        #expect(close(v.grad, f.tensor("grad_" + name), atol: atol, rtol: rtol), "\(f.name): gradient of \(name)")
    }
}
