import Foundation
import Imaging
import PipeCore
@testable import PipeStages
import TestSupport
import Testing

/// Three probability maps under `infer/<id>/<id>.tiff`, and a data source
/// whose sample_submission.csv lists them in a non-sorted order.
struct SubmitFixture {
    let dir: TemporaryDirectory
    let sizes: [String: (width: Int, height: Int)] = ["b2": (23, 17), "a1": (31, 12), "c3": (9, 26)]
    let order = ["c3", "a1", "b2"]
    var maps: [String: [UInt8]] = [:]

    init() throws {
        dir = try TemporaryDirectory("submit")
        for (n, id) in order.enumerated() {
            let size = sizes[id]!
            maps[id] = syntheticPair(width: size.width, height: size.height, seed: UInt64(10 + n)).probabilities
            try writeGrayTiff(maps[id]!, width: size.width, height: size.height, to: dir.file("infer/\(id)/\(id).tiff"))
        }
        try dir.write("data/sample_submission.csv", "id,predicted\n" + order.map { "\($0),\n" }.joined())
    }

    func thresholded(_ id: String, at t: Double) -> [UInt8] {
        maps[id]!.map { Double($0) / 255 > t ? 1 : 0 }
    }

    func submit(_ config: [String: JSONValue], extra: [String: URL] = [:]) async throws -> URL {
        let inputs = ["infer": dir.file("infer"), "data.test": dir.file("data")].merging(extra) { a, _ in a }
        return try await runStage(SubmitStage(), name: "submit", config: ["from": .string("infer"), "images": .string("data.test")].merging(config) { _, b in b },
                                  inputs: inputs, in: dir).output.appendingPathComponent("submission.csv")
    }
}

/// Decodes submission.csv in Swift, independently of RLEMask: 1-indexed column-major runs.
func decodeSubmission(_ url: URL, sizes: [String: (width: Int, height: Int)]) throws -> [(id: String, mask: [UInt8])] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.first == "id,predicted")
    return lines.dropFirst().map { line in
        let parts = line.split(separator: ",", omittingEmptySubsequences: false)
        let id = String(parts[0]), size = sizes[id]!
        var mask = [UInt8](repeating: 0, count: size.width * size.height)
        let numbers = parts[1].split(separator: " ").map { Int($0)! }
        for pair in stride(from: 0, to: numbers.count, by: 2) {
            for pixel in (numbers[pair] - 1)..<(numbers[pair] - 1 + numbers[pair + 1]) {
                mask[(pixel % size.height) * size.width + pixel / size.height] = 1
            }
        }
        return (id, mask)
    }
}

@Test func submissionFollowsSampleOrderAndDecodesToTheThresholdedMaps() async throws {
    let fixture = try SubmitFixture()
    defer { fixture.dir.remove() }
    let csv = try await fixture.submit(["threshold": .double(0.6)])
    let rows = try decodeSubmission(csv, sizes: fixture.sizes)
    #expect(rows.map(\.id) == fixture.order)
    for row in rows { #expect(row.mask == fixture.thresholded(row.id, at: 0.6), "\(row.id)") }
}

@Test(.enabled(if: pythonHas("numpy")))
func numpyDecodesTheSubmissionToTheThresholdedMaps() async throws {
    let fixture = try SubmitFixture()
    defer { fixture.dir.remove() }
    let csv = try await fixture.submit(["threshold": .double(0.45)])
    let sizes = fixture.sizes.mapValues { [$0.height, $0.width] }
    try Data(JSONSerialization.data(withJSONObject: sizes)).write(to: fixture.dir.file("sizes.json"))
    let script = PipeRepository.root.appendingPathComponent("scripts/validate/decode_submission.py").path
    let result = try runProcess("python3", [script, csv.path, fixture.dir.file("sizes.json").path])
    #expect(result.status == 0, "\(result.stderr)")
    let decoded = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(decoded["__order__"] as? [String] == fixture.order)
    for id in fixture.order {
        #expect((decoded[id] as? [NSNumber])?.map(\.uint8Value) == fixture.thresholded(id, at: 0.45), "\(id)")
    }
}

@Test func aMissingPredictionNamesTheImage() async throws {
    let fixture = try SubmitFixture()
    defer { fixture.dir.remove() }
    try fixture.dir.write("data/sample_submission.csv", "id,predicted\nc3,\nzz9,\na1,\nb2,\n")
    let error = await #expect(throws: StageError.self) { try await fixture.submit([:]) }
    #expect(error?.message.contains("no prediction for image 'zz9'") == true, "\(error?.message ?? "")")
}

@Test func minAreaAndAValidateThresholdShapeTheSubmission() async throws {
    let fixture = try SubmitFixture()
    defer { fixture.dir.remove() }
    try fixture.dir.write("validate/sweep.json", #"{"thresholds": [0.3, 0.7], "dice": [0.5, 0.8], "best": 0.7}"#)
    let csv = try await fixture.submit(["threshold": .string("validate"), "min_area": .int(9)], extra: ["validate": fixture.dir.file("validate")])
    for row in try decodeSubmission(csv, sizes: fixture.sizes) {
        let size = fixture.sizes[row.id]!
        let expected = floodFillFilter(fixture.thresholded(row.id, at: 0.7), width: size.width, height: size.height, minArea: 9)
        #expect(row.mask == expected, "\(row.id)")
    }
}

@Test func submissionCheckCatchesDuplicatesAndBadRuns() {
    let row = SubmissionRow(id: "a", rle: "1 5", width: 2, height: 2)
    #expect(throws: StageError.self) { try Submission.check([row, row], order: ["a"]) }
    #expect(throws: StageError.self) { try Submission.check([row], order: ["a"]) }   // 5 pixels in a 2 x 2 image
    #expect(throws: Never.self) { try Submission.check([SubmissionRow(id: "a", rle: "2 3", width: 2, height: 2)], order: ["a"]) }
}
