import NIOCore
import OpenFlow

/// A 128-bit IPv6 address held as two integers, so that it is a plain value: no array, no
/// allocation, and hashing and comparison are a couple of machine instructions.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The first eight bytes, big-endian.
    public let high: UInt64
    /// The last eight bytes, big-endian.
    public let low: UInt64

    public static let any = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The eight 16-bit groups, as written in text.
    public init(
        _ g0: UInt16, _ g1: UInt16, _ g2: UInt16, _ g3: UInt16,
        _ g4: UInt16, _ g5: UInt16, _ g6: UInt16, _ g7: UInt16
    ) {
        high = UInt64(g0) << 48 | UInt64(g1) << 32 | UInt64(g2) << 16 | UInt64(g3)
        low = UInt64(g4) << 48 | UInt64(g5) << 32 | UInt64(g6) << 16 | UInt64(g7)
    }

    /// Parses the colon-hexadecimal form, with at most one `::` (dotted IPv4 tails are not
    /// accepted).
    public init?(_ text: String) {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), group.allSatisfy(\.isHexDigit),
                    let value = UInt16(group, radix: 16)
                else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: missing) + tail
        self = all.reduce(into: IPv6Address.any) { address, group in
            address = IPv6Address(high: address.high << 16 | address.low >> 48, low: address.low << 16 | UInt64(group))
        }
    }

    /// The eight 16-bit groups, first to last.
    public var groups: [UInt16] {
        (0..<8).map { index in
            let word = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> (48 - 16 * UInt64(index % 4)))
        }
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups
    /// (the first, on a tie) replaced by `::`.
    public var description: String {
        let groups = self.groups
        var best = 0..<0
        var index = 0
        while index < 8 {
            let run = groups[index...].prefix { $0 == 0 }.count
            if run >= 2 && run > best.count { best = index..<index + run }
            index += max(run, 1)
        }
        func text(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        return best.isEmpty ? text(0..<8) : text(0..<best.lowerBound) + "::" + text(best.upperBound..<8)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

extension WireReader {
    @inlinable
    public mutating func readIPv6Address(field: String) throws(WireError) -> IPv6Address {
        try require(16, field: field)
        let high: UInt64 = try readInteger(field: field)
        let low: UInt64 = try readInteger(field: field)
        return IPv6Address(high: high, low: low)
    }
}

extension ByteBuffer {
    @inlinable
    public mutating func writeIPv6Address(_ address: IPv6Address) {
        writeInteger(address.high)
        writeInteger(address.low)
    }
}
