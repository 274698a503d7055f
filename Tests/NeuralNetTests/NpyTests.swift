import Foundation
import NeuralNet
import Testing
import TestSupport

@Suite struct NpyTests {
    @Test func roundTrips() throws {
        for shape in [[], [5], [2, 3], [1, 3, 4, 2]] {
            let n = shape.reduce(1, *)
            let t = Tensor(shape: shape, storage: (0..<n).map { Float($0) * 0.5 - 1 })
            let data = Npy.encode(t)
            let back = try Npy.decode(data, path: "mem")
            #expect(back == t)
            let headerLength = data.withUnsafeBytes { Int(UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt16.self))) }
            #expect((10 + headerLength) % 64 == 0, "header aligned to 64 bytes")
        }
    }

    @Test func readsArraysWrittenByNumpy() throws {
        let a = try Npy.read(contentsOf: NNFixtures.url("float32_v1.npy"))
        #expect(a.shape == [2, 3, 4])
        #expect(a.storage == (0..<24).map { Float($0) / 8 - 1 })
        let b = try Npy.read(contentsOf: NNFixtures.url("float64_v2.npy"))
        #expect(b.shape == [5])
        #expect(b.storage == [0.5, -2, 3, 1e-3, 7])
        let c = try Npy.read(contentsOf: NNFixtures.url("uint8.npy"))
        #expect(c.shape == [3, 2])
        #expect(c.storage == [0, 255, 7, 128, 1, 2])
    }

    @Test(.enabled(if: pythonHas("numpy")))
    func numpyReadsWhatWeWrite() throws {
        let dir = try TemporaryDirectory("npy")
        defer { dir.remove() }
        let file = dir.file("x.npy")
        try Npy.write(Tensor(shape: [2, 1, 3], storage: [1, 2, 3, 4, 5, -6.5]), to: file)
        let code = """
        import sys, numpy as np
        x = np.load(sys.argv[1])
        assert x.dtype == np.float32 and x.shape == (2, 1, 3), (x.dtype, x.shape)
        assert (x.ravel() == np.array([1, 2, 3, 4, 5, -6.5], dtype=np.float32)).all()
        print("ok")
        """
        let r = try runProcess("python3", ["-c", code, file.path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    private func error(_ bytes: [UInt8]) -> CheckpointError? {
        do { _ = try Npy.decode(Data(bytes), path: "bad.npy"); return nil } catch { return error as? CheckpointError }
    }

    private func file(header: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 { out.appendLE(UInt16(header.utf8.count)) } else { out.appendLE(UInt32(header.utf8.count)) }
        return out + Array(header.utf8) + data
    }

    @Test func rejectsMalformedFiles() {
        #expect(error(Array("PK\u{3}\u{4}not npy".utf8))?.message.contains("magic") == true)
        #expect(error(file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: [0, 0, 0, 0]))?.message.contains("truncated") == true)
        #expect(error(file(header: "{'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]))?.message.contains("'descr'") == true)
        #expect(error(file(header: "{'descr': '<f4', 'shape': (1,), }", data: [0, 0, 0, 0]))?.message.contains("fortran_order") == true)
        #expect(error(file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"))?.message.contains("shape") == true)
        var short = file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }")
        short[8] = 0xFF
        #expect(error(short)?.message.contains("header length") == true)
        #expect(error(file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", version: 9))?.code == .unsupported)
    }

    @Test func rejectsLayoutsItDoesNotRead() {
        let fortran = error(file(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", data: [0, 0, 0, 0]))
        #expect(fortran?.code == .unsupported)
        #expect(fortran?.message.contains("ascontiguousarray") == true)
        let bigEndian = error(file(header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]))
        #expect(bigEndian?.code == .unsupported)
        #expect(bigEndian?.message.contains("'>f4'") == true)
        #expect(error(file(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)))?.code == .unsupported)
    }

    @Test func readsVersionTwoHeaders() throws {
        var data = [UInt8]()
        data.appendLE(Float(3).bitPattern)
        let t = try Npy.decode(Data(file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }\n", data: data, version: 2)), path: "v2")
        #expect(t.shape == [1, 1] && t.storage == [3])
    }
}
