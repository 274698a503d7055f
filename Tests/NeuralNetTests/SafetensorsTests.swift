import Foundation
import NeuralNet
import Testing
import TestSupport

@Suite struct SafetensorsTests {
    @Test func roundTripsEveryDTypeWithMetadata() throws {
        let a = Tensor(shape: [2, 3], storage: [0, -1.5, 3.25, 1000, 0.5, -7])
        let ints = Tensor(shape: [3, 2], storage: [0, -1, 3, 1000, 123_456, -7])
        let entries = SafetensorsDType.allCases.map {
            SafetensorsEntry("t.\($0.rawValue)", $0 == .i64 || $0 == .i32 ? ints : a, dtype: $0)
        }
            + [SafetensorsEntry("scalar", Tensor(shape: [], storage: [42]), dtype: .i64),
               SafetensorsEntry("empty", Tensor(shape: [0, 4], storage: []))]
        let data = try Safetensors.encode(entries, metadata: ["format": "pt", "quote\"d": "a\nb"])
        let archive = try Safetensors.decode(data, path: "mem")
        #expect(archive.names == entries.map(\.name))
        #expect(archive.metadata == ["format": "pt", "quote\"d": "a\nb"])
        for e in entries {
            let t = try #require(archive.tensors[e.name])
            #expect(t.shape == e.tensor.shape)
            #expect(t.storage == e.tensor.storage, "\(e.name)")
            #expect(archive.dtypes[e.name] == e.dtype)
        }
        let headerLength = data.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(headerLength % 8 == 0)
    }

    @Test func roundsToHalfPrecisionLikeTorch() throws {
        let v = Tensor(shape: [3], storage: [0.1, 1.0 / 3.0, 65504])
        let data = try Safetensors.encode([SafetensorsEntry("h", v, dtype: .f16), SafetensorsEntry("b", v, dtype: .bf16)])
        let back = try Safetensors.decode(data, path: "mem")
        #expect(back.tensors["h"]!.storage == [Float(Float16(0.1)), Float(Float16(Float(1.0 / 3.0))), 65504])
        // bfloat16 keeps the top 16 bits, rounded to nearest even: 0.1 -> 0.10009765625.
        #expect(back.tensors["b"]!.storage[0] == 0.10009765625)
    }

    @Test func readsFilesWrittenByThePythonPackage() throws {
        let archive = try Safetensors.read(contentsOf: NNFixtures.url("dtypes.safetensors"))
        let expected = try Npy.read(contentsOf: NNFixtures.url("dtypes_expected.npy"))
        #expect(expected.shape == [6, 2, 3])
        #expect(archive.metadata["note"] == "pipe fixture")
        for (i, name) in ["f32", "f16", "bf16", "f64", "i64", "i32"].enumerated() {
            let t = try #require(archive.tensors[name], "\(name)")
            #expect(t.shape == [2, 3])
            #expect(t.storage == Array(expected.storage[i * 6..<(i + 1) * 6]), "\(name)")
        }
        #expect(archive.dtypes["bf16"] == .bf16 && archive.dtypes["f16"] == .f16 && archive.dtypes["i64"] == .i64)
    }

    /// The reference reader is safetensors' numpy loader (the file format is
    /// the same for every framework), so this runs wherever safetensors and
    /// numpy are installed, without PyTorch's multi-GB install.
    @Test(.enabled(if: pythonHas("safetensors", "numpy")))
    func pythonReadsWhatWeWrite() throws {
        let dir = try TemporaryDirectory("safetensors")
        defer { dir.remove() }
        let w = Tensor(shape: [2, 2, 1, 3], storage: (0..<12).map { Float($0) * 0.25 - 1 })
        let file = dir.file("w.safetensors")
        try Safetensors.write([SafetensorsEntry("conv.weight", w),
                               SafetensorsEntry("bn.num_batches_tracked", Tensor(shape: [], storage: [7]), dtype: .i64)],
                              metadata: ["pipe": "1"], to: file)
        let code = """
        import sys, numpy as np
        from safetensors import safe_open
        with safe_open(sys.argv[1], "np") as f:
            assert f.metadata() == {"pipe": "1"}, f.metadata()
            w = f.get_tensor("conv.weight"); n = f.get_tensor("bn.num_batches_tracked")
        assert w.dtype == np.float32 and w.shape == (2, 2, 1, 3)
        assert np.array_equal(w.flatten(), np.arange(12, dtype=np.float32) * np.float32(0.25) - 1)
        assert n.dtype == np.int64 and n.shape == () and int(n) == 7
        print("ok")
        """
        let r = try runProcess("python3", ["-c", code, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok"))
    }
}
