/// The order tasks are listed in: by name, with runs of digits compared as
/// numbers, so `tile[2]` comes before `tile[10]`. Computed once per name
/// (Foundation's `localizedStandardCompare` costs microseconds per comparison,
/// which a 100,000-task sort cannot afford).
public struct TaskOrder: Comparable, Sendable {
    /// Alternating text and number parts; a number as (digit count without leading zeros, digits).
    private let parts: [Part]

    private enum Part: Comparable {
        case text([UInt8])
        case number(Int, [UInt8])

        static func < (lhs: Part, rhs: Part) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a, let x), .number(let b, let y)): return a != b ? a < b : x.lexicographicallyPrecedes(y)
            case (.number, .text): return true
            case (.text, .number): return false
            case (.text(let x), .text(let y)): return x.lexicographicallyPrecedes(y)
            }
        }
    }

    public init(name: String) {
        var parts: [Part] = []
        var current: [UInt8] = []
        var inNumber = false
        func close() {
            guard !current.isEmpty else { return }
            if inNumber {
                let digits = Array(current.drop { $0 == UInt8(ascii: "0") })
                parts.append(.number(digits.count, digits))
            } else {
                parts.append(.text(current))
            }
            current.removeAll(keepingCapacity: true)
        }
        for byte in name.utf8 {
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if digit != inNumber { close(); inNumber = digit }
            current.append(byte)
        }
        close()
        self.parts = parts
    }

    public static func < (lhs: TaskOrder, rhs: TaskOrder) -> Bool { lhs.parts.lexicographicallyPrecedes(rhs.parts) }
}
