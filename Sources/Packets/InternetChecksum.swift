import NIOCore

/// The RFC 1071 one's-complement sum shared by IPv4, ICMP, TCP and UDP.
///
/// Words are accumulated in a wide integer and folded only once at the end, which is both
/// simpler and faster than folding after every addition. Verifying a received header is the
/// same operation as computing one: summed with its checksum in place, a correct header gives 0.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0

    public init() {}

    public mutating func add(_ word: UInt16) {
        sum &+= UInt64(word)
    }

    public mutating func add(_ value: UInt32) {
        sum &+= UInt64(value >> 16) &+ UInt64(value & 0xffff)
    }

    /// Adds the readable bytes as big-endian 16-bit words; an odd final byte is padded with a
    /// zero byte on the right, as RFC 1071 requires.
    public mutating func add(bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { raw in
            var index = 0
            while index + 1 < raw.count {
                sum &+= UInt64(raw[index]) << 8 | UInt64(raw[index + 1])
                index += 2
            }
            if index < raw.count {
                sum &+= UInt64(raw[index]) << 8
            }
        }
    }

    /// The checksum to put in a header: the complement of the folded sum.
    public var value: UInt16 {
        var folded = sum
        while folded >> 16 != 0 {
            folded = (folded & 0xffff) &+ (folded >> 16)
        }
        return ~UInt16(truncatingIfNeeded: folded)
    }

    /// The checksum of `bytes` alone; 0 when `bytes` already contain a correct checksum.
    public static func of(_ bytes: ByteBuffer) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes: bytes)
        return checksum.value
    }
}
