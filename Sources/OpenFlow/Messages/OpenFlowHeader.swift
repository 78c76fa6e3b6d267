import NIOCore

/// `ofp_header`: the 8 bytes that start every OpenFlow message.
public struct OpenFlowHeader: Hashable, Sendable {
    public static let size = 8
    /// The wire version of OpenFlow 1.0.
    public static let version10: UInt8 = 0x01
    /// The largest message the 16-bit length field can describe.
    public static let maximumLength = Int(UInt16.max)

    public var version: UInt8
    public var type: MessageType
    /// Length of the whole message, header included.
    public var length: UInt16
    public var xid: UInt32

    public init(version: UInt8 = OpenFlowHeader.version10, type: MessageType, length: UInt16, xid: UInt32) {
        self.version = version
        self.type = type
        self.length = length
        self.xid = xid
    }

    /// Reads a header without consuming it, validating the length field against `maximumLength`.
    ///
    /// Returns nil when fewer than 8 bytes are available: the caller should wait for more.
    @inlinable
    public static func peek(
        in buffer: ByteBuffer, maximumLength: Int = OpenFlowHeader.maximumLength
    ) throws(WireError) -> OpenFlowHeader? {
        guard buffer.readableBytes >= OpenFlowHeader.size else { return nil }
        // One view of the bytes: each ByteBuffer integer read would pay its own exclusivity check.
        let header = buffer.withUnsafeReadableBytes { raw in
            var field = FixedFieldCursor(UnsafeRawBufferPointer(rebasing: raw[..<OpenFlowHeader.size]))
            return OpenFlowHeader(reading: &field)
        }
        let length = header.length
        guard Int(length) >= OpenFlowHeader.size else {
            throw WireError(
                .lengthBelowMinimum(length: Int(length), minimum: OpenFlowHeader.size), field: "ofp_header.length",
                offset: 2)
        }
        guard Int(length) <= maximumLength else {
            throw WireError(
                .lengthAboveMaximum(length: Int(length), maximum: maximumLength), field: "ofp_header.length", offset: 2)
        }
        return header
    }

    /// The header's fields as they lie, unchecked (from a structure that holds it).
    @inlinable
    public init(reading field: inout FixedFieldCursor) {
        self.init(
            version: field.read(UInt8.self), type: MessageType(rawValue: field.read(UInt8.self)),
            length: field.read(UInt16.self), xid: field.read(UInt32.self))
    }

    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(OpenFlowHeader.size) { write(to: &$0) }
    }

    /// Writes the 8 bytes at the start of a larger fixed structure (a vendor message's header).
    @inlinable
    public func write(to field: inout FixedFieldWriter) {
        field.write(version)
        field.write(type.rawValue)
        field.write(length)
        field.write(xid)
    }
}
