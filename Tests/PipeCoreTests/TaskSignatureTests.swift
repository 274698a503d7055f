import Foundation
import PipeCore
import Testing

private let inputA = Digest.of(Data("a".utf8))
private let inputB = Digest.of(Data("b".utf8))

private func signature(lr: Double = 1e-3, batch: Int = 16, input: Digest = inputA, version: Int = 1) -> TaskSignature {
    TaskSignature(kind: "train", kindVersion: version,
                  params: .object(["optimizer": .object(["lr": .double(lr)]), "batch": .int(batch)]),
                  inputs: ["tile": input], fanOut: "0")
}

@Test func keyIsStableAndIndependentOfKeyOrder() {
    let a = TaskSignature(kind: "k", kindVersion: 1, params: .object(["x": .int(1), "y": .int(2)]), inputs: [:], fanOut: nil)
    let b = TaskSignature(kind: "k", kindVersion: 1, params: .object(["y": .int(2), "x": .int(1)]), inputs: [:], fanOut: nil)
    #expect(a.key == b.key)
    #expect(signature().key != signature(lr: 5e-4).key)
    #expect(signature().key != TaskSignature(kind: "train", kindVersion: 1, params: signature().params,
                                             inputs: ["tile": inputA], fanOut: "1").key)
}

@Test func signatureRoundTripsThroughJSON() throws {
    let original = signature()
    let parsed = try #require(TaskSignature(json: try JSONValue(parsing: original.json.canonicalData)))
    #expect(parsed == original)
    #expect(parsed.key == original.key)
}

@Test func differencesNameTheChangedParamWithOldAndNewValues() {
    let reasons = signature(lr: 5e-4).differences(from: signature())
    #expect(reasons == [.paramChanged(path: "optimizer.lr", old: .double(1e-3), new: .double(5e-4))])
    #expect(reasons[0].text(stage: "train") == "param train.optimizer.lr 0.001 -> 0.0005")
}

@Test func differencesNameChangedInputsAndVersions() {
    #expect(signature(input: inputB).differences(from: signature()) == [.inputChanged(name: "tile", change: .changed)])
    #expect(signature(version: 2).differences(from: signature()) == [.kindVersionChanged(old: 1, new: 2)])
    #expect(signature().differences(from: signature()).isEmpty)
}

@Test func treeManifestDigestDependsOnContentNotOrder() {
    let one = TreeManifest.Entry(path: "a/x.bin", executable: false, digest: inputA, size: 1)
    let two = TreeManifest.Entry(path: "b.txt", executable: true, digest: inputB, size: 1)
    #expect(TreeManifest(entries: [one, two]).digest == TreeManifest(entries: [two, one]).digest)
    var changed = two
    changed.digest = inputA
    let before = TreeManifest(entries: [one, two]), after = TreeManifest(entries: [one, changed])
    #expect(before.digest != after.digest)
    #expect(after.changedPaths(comparedTo: before) == ["b.txt"])
    #expect(TreeManifest(json: before.json) == before)
}
