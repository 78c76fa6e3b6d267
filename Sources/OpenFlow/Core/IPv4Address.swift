import NIOCore

/// An IPv4 address in host byte order.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xffff_ffff)

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad notation.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.rawValue = value
    }

    public var description: String {
        "\(rawValue >> 24).\(rawValue >> 16 & 0xff).\(rawValue >> 8 & 0xff).\(rawValue & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension WireReader {
    @inlinable
    public mutating func readIPv4Address(field: String) throws(WireError) -> IPv4Address {
        IPv4Address(rawValue: try readInteger(field: field))
    }
}

extension ByteBuffer {
    @inlinable
    public mutating func writeIPv4Address(_ address: IPv4Address) {
        writeInteger(address.rawValue)
    }
}
