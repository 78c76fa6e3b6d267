/// A value that is one integer word (an address or an identifier). Dictionaries and sets hash
/// their keys through `_rawHashValue(seed:)`; such a value takes the standard library's seeded
/// one-word hash there, as integer keys do, rather than building and finalising a streaming
/// `Hasher`. The host tracker and forwarding hash a MAC three times per PACKET_IN, and dispatch
/// hashes a SID several times per event (docs/benchmarks.md, "Hashing addresses and
/// identifiers as one word").
public protocol OneWordHashable: RawRepresentable, Hashable where RawValue: FixedWidthInteger {}

extension OneWordHashable {
    // All three are given here, so that none is taken from RawRepresentable's own defaults.
    public var hashValue: Int {
        rawValue.hashValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    public func _rawHashValue(seed: Int) -> Int {
        rawValue._rawHashValue(seed: seed)
    }
}
