/// The 64-bit identifier of an OpenFlow switch (the low 48 bits are usually a MAC address).
public struct DatapathID: RawRepresentable, OneWordHashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Accepts `0x1a`, `1a`, a decimal number, or the colon form `00:00:00:00:00:00:00:1a`.
    public init?(_ text: String) {
        if text.contains(":") {
            let groups = text.split(separator: ":", omittingEmptySubsequences: false)
            guard groups.count == 8 else { return nil }
            var value: UInt64 = 0
            for group in groups {
                guard (1...2).contains(group.count), let byte = UInt8(group, radix: 16) else { return nil }
                value = value << 8 | UInt64(byte)
            }
            self.rawValue = value
        } else if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let value = UInt64(text.dropFirst(2), radix: 16) else { return nil }
            self.rawValue = value
        } else {
            guard let value = UInt64(text) else { return nil }
            self.rawValue = value
        }
    }

    /// Reads exactly sixteen hex digits, the form `description` writes (and Open vSwitch prints).
    public init?(sixteenHexDigits text: some StringProtocol) {
        guard text.count == 16, let value = UInt64(text, radix: 16) else { return nil }
        self.rawValue = value
    }

    /// Sixteen hex digits, the way Open vSwitch prints a DPID.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func < (lhs: DatapathID, rhs: DatapathID) -> Bool { lhs.rawValue < rhs.rawValue }
}
