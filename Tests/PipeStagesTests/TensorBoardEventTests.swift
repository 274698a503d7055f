import Foundation
@testable import PipeStages
import TestSupport
import Testing

/// An independent reader: TFRecord framing with masked CRC-32C checks (its
/// own CRC table) and a minimal protobuf decoder for Event / Summary.Value.
private let reader = #"""
import struct, sys

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift; shift += 7
        if b < 0x80: return value, i

def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0: value, i = varint(buf, i)
        elif wire == 1: value = buf[i:i + 8]; i += 8
        elif wire == 5: value = buf[i:i + 4]; i += 4
        elif wire == 2:
            n, i = varint(buf, i); value = buf[i:i + n]; i += n
        else: raise ValueError("wire type %d" % wire)
        yield number, value

data = open(sys.argv[1], "rb").read()
i = 0
first = True
while i < len(data):
    header = data[i:i + 8]
    (length,) = struct.unpack("<Q", header)
    (length_crc,) = struct.unpack("<I", data[i + 8:i + 12])
    assert length_crc == masked(header), "bad length crc"
    payload = data[i + 12:i + 12 + length]
    (payload_crc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
    assert payload_crc == masked(payload), "bad data crc"
    i += 16 + length
    event = dict(fields(payload))
    wall = struct.unpack("<d", event[1])[0]
    step = event.get(2, 0)
    if first:
        assert event[3] == b"brain.Event:2", event
        first = False
        continue
    for number, value in fields(event[5]):
        item = dict(fields(value))
        print("%d %g %s %.6g" % (step, wall, item[1].decode(), struct.unpack("<f", item[2])[0]))
"""#

@Test(.enabled(if: pythonHas("struct"))) func tensorBoardEventFileDecodesWithAnIndependentReader() throws {
    let dir = try TemporaryDirectory("events")
    defer { dir.remove() }
    var progress = TrainingProgress()
    for epoch in 1...2 {
        _ = progress.record(EpochRow(epoch: epoch, lr: 0.001 / Double(epoch), trainLoss: 0.5 / Double(epoch), valLoss: 0.6,
                                     valDice: 0.25 * Double(epoch), seconds: 1),
                            trainSeconds: 1, trainImages: 8)
    }
    try TrainOutputs(directory: dir.url).writeEvents(progress)
    let file = dir.file("events.out.tfevents.0.pipe")
    try dir.write("read.py", reader)
    let result = try runProcess("python3", [dir.file("read.py").path, file.path])
    #expect(result.status == 0, "\(result.stderr)")
    // wall_time is the step (no clock reading), so the file is the same bytes on every run
    #expect(result.stdout.split(separator: "\n") == [
        "1 1 train/loss 0.5", "1 1 val/loss 0.6", "1 1 val/dice 0.25", "1 1 lr 0.001",
        "2 2 train/loss 0.25", "2 2 val/loss 0.6", "2 2 val/dice 0.5", "2 2 lr 0.0005",
    ])
    // The CRC itself against the standard check value of CRC-32C.
    #expect(TensorBoardEvents.crc32c(Data("123456789".utf8)) == 0xE306_9283)
}
