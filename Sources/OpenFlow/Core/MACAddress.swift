import NIOCore

/// A 48-bit Ethernet address, held in the low 48 bits of an integer so that it costs no
/// allocation and hashes cheaply.
public struct MACAddress: OneWordHashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public static let zero = MACAddress(rawValue: 0)
    public static let broadcast = MACAddress(rawValue: 0xffff_ffff_ffff)
    /// The nearest-bridge group address LLDP is sent to (IEEE 802.1AB).
    public static let lldpMulticast = MACAddress(rawValue: 0x0180_c200_000e)

    public init(rawValue: UInt64) {
        self.rawValue = rawValue & 0xffff_ffff_ffff
    }

    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8, _ b4: UInt8, _ b5: UInt8) {
        self.rawValue =
            UInt64(b0) << 40 | UInt64(b1) << 32 | UInt64(b2) << 24
            | UInt64(b3) << 16 | UInt64(b4) << 8 | UInt64(b5)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (colons or dashes, case-insensitive).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let groups = parts.count == 6 ? parts : text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var value: UInt64 = 0
        for group in groups {
            guard (1...2).contains(group.count), let byte = UInt8(group, radix: 16) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        self.rawValue = value
    }

    public var isMulticast: Bool { rawValue & 0x0100_0000_0000 != 0 }
    public var isBroadcast: Bool { self == .broadcast }
    /// 01:80:c2:00:00:00 to 0f, the addresses IEEE 802.1D reserves for bridges' own protocols
    /// (STP, LLDP, pause frames): a bridge consumes such frames and never forwards them.
    public var isBridgeGroup: Bool { rawValue & ~0xf == 0x0180_c200_0000 }

    public var bytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * $0)) }
    }

    public var description: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension WireReader {
    @inlinable
    public mutating func readMACAddress(field: String) throws(WireError) -> MACAddress {
        // Checked whole, so that a short address is reported at its first byte.
        try require(6, field: field)
        let high: UInt16 = try readInteger(field: field)
        let low: UInt32 = try readInteger(field: field)
        return MACAddress(rawValue: UInt64(high) << 32 | UInt64(low))
    }
}

extension ByteBuffer {
    @inlinable
    public mutating func writeMACAddress(_ address: MACAddress) {
        writeInteger(UInt16(truncatingIfNeeded: address.rawValue >> 32))
        writeInteger(UInt32(truncatingIfNeeded: address.rawValue))
    }
}

extension ByteBuffer {
    /// Overwrites the six bytes at `index` counted from the first readable byte.
    @inlinable
    public mutating func setMACAddress(_ address: MACAddress, at index: Int) {
        setInteger(UInt16(truncatingIfNeeded: address.rawValue >> 32), at: readerIndex + index)
        setInteger(UInt32(truncatingIfNeeded: address.rawValue), at: readerIndex + index + 2)
    }
}
