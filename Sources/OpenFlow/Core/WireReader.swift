import NIOCore

/// A bounds-checked cursor over the bytes of one message.
///
/// Every read names the field it is reading so that a short message produces a `WireError`
/// pointing at the exact field and offset. `offset` is measured from the start of the message,
/// whatever slice of it the reader currently covers, so nested structures report positions a
/// user can find in the original bytes.
public struct WireReader: Sendable {
    @usableFromInline var buffer: ByteBuffer
    /// Offset, within the message, of `buffer`'s first readable byte when the reader was made.
    @usableFromInline let base: Int
    @usableFromInline let startIndex: Int

    @inlinable
    public init(_ buffer: ByteBuffer, messageOffset: Int = 0) {
        self.buffer = buffer
        self.base = messageOffset
        self.startIndex = buffer.readerIndex
    }

    /// Offset of the next unread byte from the start of the message.
    @inlinable
    public var offset: Int { base + (buffer.readerIndex - startIndex) }

    @inlinable
    public var remaining: Int { buffer.readableBytes }

    @inlinable
    public var isAtEnd: Bool { buffer.readableBytes == 0 }

    @inlinable
    public mutating func readInteger<T: FixedWidthInteger & Sendable>(
        as: T.Type = T.self, field: String
    ) throws(WireError) -> T {
        guard let value = buffer.readInteger(as: T.self) else {
            throw WireError(
                .truncated(needed: MemoryLayout<T>.size, available: buffer.readableBytes),
                field: field, offset: offset)
        }
        return value
    }

    /// Skips padding bytes. Their content is ignored, as the specification asks of receivers.
    @inlinable
    public mutating func skip(_ count: Int, field: String) throws(WireError) {
        try require(count, field: field)
        buffer.moveReaderIndex(forwardBy: count)
    }

    /// Gives back the last `count` bytes read, for a structure read ahead in the same view as
    /// the one before it and then found not to be there.
    @inlinable
    public mutating func unread(_ count: Int) {
        precondition(count >= 0 && count <= buffer.readerIndex - startIndex, "unread past the reader's start")
        buffer.moveReaderIndex(to: buffer.readerIndex - count)
    }

    /// Runs `body` on the unread bytes and the message offset of the first, consuming nothing:
    /// for walking many small structures through one view of the buffer.
    @inlinable
    public func withReadableBytes<T>(_ body: (UnsafeRawBufferPointer, Int) -> T) -> T {
        let at = offset
        return buffer.withUnsafeReadableBytes { body($0, at) }
    }

    /// Takes `length` bytes as a sub-reader that reports offsets relative to this message.
    @inlinable
    public mutating func readReader(length: Int, field: String) throws(WireError) -> WireReader {
        let at = offset
        try require(length, field: field)
        // `require` has just checked that the bytes are there.
        let slice = buffer.readSlice(length: length) ?? ByteBuffer()
        return WireReader(slice, messageOffset: at)
    }

    /// Takes `length` bytes without copying them.
    @inlinable
    public mutating func readBytes(length: Int, field: String) throws(WireError) -> ByteBuffer {
        try require(length, field: field)
        return buffer.readSlice(length: length) ?? ByteBuffer()
    }

    /// Takes every remaining byte without copying.
    @inlinable
    public mutating func readRest() -> ByteBuffer {
        buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
    }

    /// Reads a fixed-size, NUL-padded text field such as `ofp_phy_port.name`.
    ///
    /// The last byte is always the terminator, as in Open vSwitch's reading of these fields:
    /// a field with no NUL keeps its first `length - 1` bytes. Bytes that are not valid UTF-8
    /// read as `?`, one for one. Both rules make the string fit the field it came from, so it
    /// writes back unchanged.
    public mutating func readFixedString(length: Int, field: String) throws(WireError) -> String {
        try require(length, field: field)
        return try readFixed(length, field: field) { $0.readFixedString(length: length) }
    }

    @inlinable
    public func require(_ count: Int, field: String) throws(WireError) {
        guard count <= buffer.readableBytes else {
            throw WireError(.truncated(needed: count, available: buffer.readableBytes), field: field, offset: offset)
        }
    }

    /// Fails if any bytes are left: a fixed-size body must be consumed exactly.
    @inlinable
    public func expectEnd(field: String) throws(WireError) {
        guard buffer.readableBytes == 0 else {
            throw WireError(.trailingBytes(count: buffer.readableBytes), field: field, offset: offset)
        }
    }
}

extension ByteBuffer {
    /// Writes `count` zero bytes of padding.
    @inlinable
    public mutating func writePadding(_ count: Int) {
        writeRepeatingByte(0, count: count)
    }

    /// Writes `text` into a fixed-size field, padding with NULs so that the field always ends in
    /// at least one NUL, as OpenFlow requires of its string fields. Text that does not fit is
    /// cut at a character boundary, never inside one.
    public mutating func writeFixedString(_ text: String, length: Int) {
        writeFixed(length) { $0.writeFixedString(text, length: length) }
    }
}
