/// Rejects fields a configuration type does not know, so that a misspelt setting is an
/// error naming it rather than a silent default.
public struct AnyCodingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int?
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) {
        self.init(index: intValue)
    }
    /// An array position, printed as `[index]` in a configuration error's path.
    public init(index: Int) {
        self.stringValue = String(index)
        self.intValue = index
    }
}

extension Decoder {
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let known = Set(Keys.allCases.map(\.stringValue))
        let container = try container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            let expected = known.sorted().joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath + [key],
                    debugDescription: "unknown field \"\(key.stringValue)\" (expected one of: \(expected))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional integer field and checks its range, so that an out-of-range value
    /// is reported at its own path (JSONDecoder reports none for numbers that do not fit).
    public func decodeInteger<T: FixedWidthInteger & Decodable>(_ key: Key) throws -> T? {
        guard let value = try decodeIfPresent(Int64.self, forKey: key) else { return nil }
        guard let fitted = T(exactly: value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected an integer in \(T.min)...\(T.max), got \(value)")
        }
        return fitted
    }

    public func decodeInteger<T: FixedWidthInteger & Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeInteger(key) ?? defaultValue
    }

    /// Decodes an optional field, falling back to `defaultValue` when it is absent.
    public func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }
}
