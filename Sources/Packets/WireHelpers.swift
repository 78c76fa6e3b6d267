import NIOCore
import OpenFlow

extension WireReader {
    /// Reads a field that has only one acceptable value in the formats this library supports
    /// (e.g. ARP's hardware type), so that anything else is reported where it was found.
    mutating func readExpected<T: FixedWidthInteger & Sendable>(_ expected: T, field: String) throws(WireError) {
        let at = offset
        let value: T = try readInteger(field: field)
        guard value == expected else {
            throw WireError(.invalidValue(UInt64(truncatingIfNeeded: value)), field: field, offset: at)
        }
    }
}

/// The layout IPv4 and TCP share: a 20-byte fixed header whose length, counted in 32-bit
/// words, sits in a 4-bit field, followed by up to 40 bytes of options.
enum WordCountedHeader {
    static let fixedLength = 20
    static let maximumOptionsLength = 40

    /// Converts the 4-bit word count to bytes, rejecting counts that would end inside the
    /// fixed header (the count is reported in words, as it appears on the wire).
    static func length(words: UInt8, field: String, offset: Int) throws(WireError) -> Int {
        guard words >= 5 else {
            throw WireError(.lengthBelowMinimum(length: Int(words), minimum: 5), field: field, offset: offset)
        }
        return Int(words) * 4
    }

    /// Bytes the options occupy on the wire: padded to a word boundary, and cut to the 40
    /// bytes that the 4-bit field can describe.
    static func paddedOptionsLength(_ options: ByteBuffer) -> Int {
        min((options.readableBytes + 3) & ~3, maximumOptionsLength)
    }

    /// The header-length field's value for these options.
    static func words(options: ByteBuffer) -> UInt8 {
        UInt8((fixedLength + paddedOptionsLength(options)) / 4)
    }

    /// Writes the options followed by zero bytes (End of Option List) up to a word boundary.
    static func write(options: ByteBuffer, to buffer: inout ByteBuffer) {
        let length = paddedOptionsLength(options)
        let kept = min(options.readableBytes, length)
        buffer.writeImmutableBuffer(options.getSlice(at: options.readerIndex, length: kept) ?? ByteBuffer())
        buffer.writePadding(length - kept)
    }
}
