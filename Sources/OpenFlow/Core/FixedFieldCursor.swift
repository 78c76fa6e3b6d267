import NIOCore

/// Big-endian fields of one fixed-size structure, read from a single view of the buffer.
///
/// Each `ByteBuffer` integer read costs a runtime exclusivity check on the buffer's storage;
/// over the 17 fields of an `ofp_match` those checks dominate the parse (docs/benchmarks.md,
/// "One view of the buffer per structure"). Reading a structure through one
/// `withUnsafeReadableBytes` access pays it once. The reader checks the
/// structure's whole size against the bytes present before the cursor exists, so the cursor's
/// own bounds check can only fail if a parser reads past the size it declared: a bug in this
/// library, never a property of the input.
public struct FixedFieldCursor: ~Copyable {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable @inline(__always)
    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
        precondition(offset + MemoryLayout<T>.size <= bytes.count, "parser read past its declared size")
        let value = T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    @inlinable @inline(__always)
    public mutating func readMACAddress() -> MACAddress {
        let high: UInt16 = read()
        let low: UInt32 = read()
        return MACAddress(rawValue: UInt64(high) << 32 | UInt64(low))
    }

    @inlinable @inline(__always)
    public mutating func readIPv4Address() -> IPv4Address { IPv4Address(rawValue: read()) }

    @inlinable @inline(__always)
    public mutating func skip(_ count: Int) {
        precondition(offset + count <= bytes.count, "parser read past its declared size")
        offset += count
    }

    /// A NUL-padded text field; see `WireReader.readFixedString` for the rules.
    public mutating func readFixedString(length: Int) -> String {
        precondition(offset + length <= bytes.count, "parser read past its declared size")
        let field = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length - 1])
        offset += length
        return FixedString.decode(field.prefix { $0 != 0 })
    }
}

extension WireReader {
    /// Reads a structure of exactly `size` bytes through one view of the buffer.
    @inlinable
    public mutating func readFixed<T>(
        _ size: Int, field: String, _ body: (inout FixedFieldCursor) -> T
    ) throws(WireError) -> T {
        try require(size, field: field)
        let value = buffer.withUnsafeReadableBytes { raw in
            var cursor = FixedFieldCursor(UnsafeRawBufferPointer(rebasing: raw[..<size]))
            return body(&cursor)
        }
        buffer.moveReaderIndex(forwardBy: size)
        return value
    }

    /// Reads a structure laid out as `layout` through one view of the buffer. When the message
    /// ends inside it, the error names the first field that is missing, as reading the fields
    /// one by one would.
    @inlinable
    public mutating func readFixed<T>(
        _ layout: FixedLayout, _ body: (inout FixedFieldCursor) -> T
    ) throws(WireError) -> T {
        if layout.size <= remaining { return try readFixed(layout.size, field: "", body) }
        throw layout.truncation(available: remaining, at: offset)
    }
}

/// The fields of a fixed-size structure and their sizes, with the whole size worked out once
/// (it is checked for every message read).
public struct FixedLayout: Sendable {
    public let fields: KeyValuePairs<StaticString, Int>
    public let size: Int

    public init(_ fields: KeyValuePairs<StaticString, Int>) {
        self.fields = fields
        self.size = fields.reduce(0) { $0 + $1.value }
    }

    /// The error for a structure cut short after `available` bytes: its first missing field.
    @usableFromInline
    func truncation(available: Int, at offset: Int) -> WireError {
        var start = 0
        for (field, width) in fields {
            guard start + width <= available else {
                return WireError(
                    .truncated(needed: width, available: available - start), field: "\(field)", offset: offset + start)
            }
            start += width
        }
        preconditionFailure("a layout of \(size) bytes fits in \(available)")
    }
}

/// The rules of fixed-size text fields, in one place.
enum FixedString {
    /// Bytes of `text` that fit a field of `fieldLength` with its terminating NUL, cut at a
    /// character boundary.
    static func encodedLength(_ text: String, fieldLength: Int) -> Int {
        var count = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            guard count + size <= fieldLength - 1 else { break }
            count += size
        }
        return count
    }

    /// Valid UTF-8 as is; otherwise every byte that is not ASCII becomes `?`, one for one, so
    /// the string never needs more bytes than the field it came from.
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        return String(unsafeUninitializedCapacity: bytes.count) { storage in
            for (index, byte) in bytes.enumerated() { storage[index] = byte < 0x80 ? byte : UInt8(ascii: "?") }
            return bytes.count
        }
    }
}
