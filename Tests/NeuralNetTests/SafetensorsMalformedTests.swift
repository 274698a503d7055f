import Foundation
import NeuralNet
import Testing

/// Every way a safetensors file can be broken is reported as a `CheckpointError`
/// naming the file (and tensor), never a crash or a silent misread.
@Suite struct SafetensorsMalformedTests {
    private func decodeError(_ bytes: [UInt8]) -> CheckpointError? {
        do {
            _ = try Safetensors.decode(Data(bytes), path: "bad.safetensors")
            return nil
        } catch let e as CheckpointError {
            return e
        } catch {
            return nil
        }
    }

    private func expectMalformed(_ bytes: [UInt8], _ fragment: String, code: CheckpointError.Code = .malformed,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let e = decodeError(bytes)
        #expect(e?.code == code, "got \(String(describing: e))", sourceLocation: sourceLocation)
        #expect(e?.path == "bad.safetensors", sourceLocation: sourceLocation)
        #expect(e?.message.contains(fragment) == true, "message: \(e?.message ?? "none")", sourceLocation: sourceLocation)
    }

    private let four = [UInt8](repeating: 0, count: 4)

    @Test func rejectsTooShortFiles() {
        expectMalformed([], "too short")
        expectMalformed([1, 0, 0], "too short")
    }

    @Test func rejectsHeaderLengthPastTheEnd() {
        var bytes = [UInt8]()
        bytes.appendLE(UInt64(1000))
        bytes.append(contentsOf: Array("{}".utf8))
        expectMalformed(bytes, "header length 1000")
        var huge = [UInt8]()
        huge.appendLE(UInt64.max)
        expectMalformed(huge + [0x7b, 0x7d], "exceeds")
    }

    @Test func rejectsHeadersThatAreNotJSONObjects() {
        expectMalformed(.safetensors(header: "[1, 2]", data: []), "does not start with '{'")
        expectMalformed(.safetensors(header: "{\"a\": ", data: []), "not valid JSON")
        expectMalformed(.safetensors(header: "{\"a\": 3}", data: []), "tensor 'a': header entry is not an object")
        expectMalformed(.safetensors(header: "{\"__metadata__\": {\"k\": 1}}", data: []), "'__metadata__' entry 'k'")
    }

    @Test func rejectsBadEntries() {
        expectMalformed(.safetensors(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: four), "missing 'dtype'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four), "'shape'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: four), "'shape'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: four), "'shape'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: four), "'data_offsets'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four), "do not hold 2 elements")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: four), "data_offsets")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: four), "'shape'")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,4]}}"#, data: four),
                        "dtype 'C64' is not supported", code: .unsupported)
    }

    @Test func rejectsOffsetsOutsideOrNotTilingTheData() {
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: four), "truncated")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: four + four), "gap")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                     data: four + four), "overlaps")
        expectMalformed(.safetensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four + four), "belong to none")
    }

    @Test func acceptsAMinimalHandWrittenFile() throws {
        var data = [UInt8]()
        data.appendLE(Float(2.5).bitPattern)
        let bytes = [UInt8].safetensors(header: #"{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   "#, data: data)
        let archive = try Safetensors.decode(Data(bytes), path: "ok")
        #expect(archive.tensors["x"]?.shape == [])
        #expect(archive.tensors["x"]?.storage == [2.5])
    }

    @Test func refusesDuplicateOrReservedNamesOnWrite() {
        let t = Tensor(shape: [1], storage: [1])
        #expect(throws: CheckpointError.self) { try Safetensors.encode([SafetensorsEntry("a", t), SafetensorsEntry("a", t)]) }
        #expect(throws: CheckpointError.self) { try Safetensors.encode([SafetensorsEntry("__metadata__", t)]) }
    }

    @Test func reportsAMissingFileAsIO() {
        #expect(throws: CheckpointError.self) { try Safetensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }
}
