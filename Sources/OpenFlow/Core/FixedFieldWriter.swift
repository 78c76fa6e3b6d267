import NIOCore

/// Writes the big-endian fields of one fixed-size structure into a single view of the
/// buffer, for the same reason `FixedFieldCursor` reads them that way: each `ByteBuffer`
/// write would otherwise pay its own exclusivity check and capacity check.
public struct FixedFieldWriter: ~Copyable {
    @usableFromInline let bytes: UnsafeMutableRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable
    init(_ bytes: UnsafeMutableRawBufferPointer) { self.bytes = bytes }

    @inlinable @inline(__always)
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        precondition(offset + MemoryLayout<T>.size <= bytes.count, "writer wrote past its declared size")
        bytes.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    @inlinable @inline(__always)
    public mutating func writeMACAddress(_ address: MACAddress) {
        write(UInt16(truncatingIfNeeded: address.rawValue >> 32))
        write(UInt32(truncatingIfNeeded: address.rawValue))
    }

    @inlinable @inline(__always)
    public mutating func writeIPv4Address(_ address: IPv4Address) { write(address.rawValue) }

    /// Zero bytes, as the specification asks of padding.
    @inlinable @inline(__always)
    public mutating func pad(_ count: Int) {
        precondition(offset + count <= bytes.count, "writer wrote past its declared size")
        UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + count]).initializeMemory(
            as: UInt8.self, repeating: 0)
        offset += count
    }

    /// The readable bytes of `buffer`, as they are (a packet's data, messages already encoded),
    /// copied into this view: a separate `ByteBuffer` write would pay its own checks.
    @inlinable
    public mutating func write(bytesOf buffer: ByteBuffer) {
        let count = buffer.readableBytes
        precondition(offset + count <= bytes.count, "writer wrote past its declared size")
        let target = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + count])
        buffer.withUnsafeReadableBytes { target.copyMemory(from: $0) }
        offset += count
    }

    /// A NUL-padded text field; see `ByteBuffer.writeFixedString` for the rules.
    public mutating func writeFixedString(_ text: String, length: Int) {
        let count = FixedString.encodedLength(text, fieldLength: length)
        precondition(offset + length <= bytes.count, "writer wrote past its declared size")
        _ = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + count]).initializeMemory(
            as: UInt8.self, from: text.utf8.prefix(count))
        offset += count
        pad(length - count)
    }
}

extension ByteBuffer {
    /// Appends a structure of exactly `size` bytes through one view of the buffer.
    @inlinable
    public mutating func writeFixed(_ size: Int, _ body: (inout FixedFieldWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = FixedFieldWriter(UnsafeMutableRawBufferPointer(rebasing: raw[..<size]))
            body(&writer)
            precondition(writer.offset == size, "writer wrote \(writer.offset) of its declared \(size) bytes")
            return size
        }
    }
}
