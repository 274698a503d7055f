/// A string coding key, for transform objects whose keys are checked by hand.
struct AugmentationKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads one transform written either as a bare probability (`0.5`) or as an object of parameters,
/// supplying defaults for missing keys, rejecting unknown keys, and validating values.
struct TransformFields {
    private let bare: Double?
    private let container: KeyedDecodingContainer<AugmentationKey>?
    private let codingPath: [any CodingKey]

    /// Opens the transform at `decoder`; `allowed` lists its parameter keys besides `p`.
    init(_ decoder: any Decoder, allowed: [String]) throws {
        codingPath = decoder.codingPath
        if let single = try? decoder.singleValueContainer(), let p = try? single.decode(Double.self) {
            bare = p
            container = nil
        } else {
            bare = nil
            let keyed = try decoder.container(keyedBy: AugmentationKey.self)
            for key in keyed.allKeys where key.stringValue != "p" && !allowed.contains(key.stringValue) {
                let known = (["p"] + allowed).map { "'\($0)'" }.joined(separator: ", ")
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key],
                    debugDescription: "unknown parameter '\(key.stringValue)'; expected one of \(known)"))
            }
            container = keyed
        }
    }

    /// The probability: the bare number, or `p` (default 0.5); must lie in 0...1.
    func probability() throws -> Double {
        let p = try bare ?? double("p", 0.5)
        try require(p >= 0 && p <= 1, "p", "probability \(p) must be between 0 and 1")
        return p
    }

    func double(_ key: String, _ fallback: Double) throws -> Double {
        try container?.decodeIfPresent(Double.self, forKey: AugmentationKey(key)) ?? fallback
    }

    func int(_ key: String, _ fallback: Int) throws -> Int {
        try container?.decodeIfPresent(Int.self, forKey: AugmentationKey(key)) ?? fallback
    }

    func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        try container?.decodeIfPresent(Bool.self, forKey: AugmentationKey(key)) ?? fallback
    }

    func value<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
        try container?.decodeIfPresent(T.self, forKey: AugmentationKey(key)) ?? fallback
    }

    /// A range written `[lo, hi]`, or one number turned into a range by `scalar`.
    func range(_ key: String, _ fallback: AugmentationRange,
               scalar: (Double) -> AugmentationRange = { AugmentationRange(symmetric: $0) }) throws -> AugmentationRange {
        guard let container, container.contains(AugmentationKey(key)) else { return fallback }
        if let number = try? container.decode(Double.self, forKey: AugmentationKey(key)) { return scalar(number) }
        return try container.decode(AugmentationRange.self, forKey: AugmentationKey(key))
    }

    /// Throws a located decoding error saying `message` unless `condition` holds.
    func require(_ condition: Bool, _ key: String, _ message: String) throws {
        guard !condition else { return }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [AugmentationKey(key)],
                                                debugDescription: message))
    }
}

/// Writes a transform as an object with every parameter spelled out (the canonical form).
struct TransformWriter {
    private var container: KeyedEncodingContainer<AugmentationKey>

    init(_ encoder: any Encoder) { container = encoder.container(keyedBy: AugmentationKey.self) }

    mutating func write<T: Encodable>(_ key: String, _ value: T) throws {
        try container.encode(value, forKey: AugmentationKey(key))
    }
}
