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
    public static func peek(in buffer: ByteBuffer, maximumLength: Int = OpenFlowHeader.maximumLength) throws(WireError) -> OpenFlowHeader? {
        let at = buffer.readerIndex
        guard let version = buffer.getInteger(at: at, as: UInt8.self),
            let type = buffer.getInteger(at: at + 1, as: UInt8.self),
            let length = buffer.getInteger(at: at + 2, as: UInt16.self),
            let xid = buffer.getInteger(at: at + 4, as: UInt32.self)
        else { return nil }
        guard Int(length) >= OpenFlowHeader.size else {
            throw WireError(.lengthBelowMinimum(length: Int(length), minimum: OpenFlowHeader.size), field: "ofp_header.length", offset: 2)
        }
        guard Int(length) <= maximumLength else {
            throw WireError(.lengthAboveMaximum(length: Int(length), maximum: maximumLength), field: "ofp_header.length", offset: 2)
        }
        return OpenFlowHeader(version: version, type: MessageType(rawValue: type), length: length, xid: xid)
    }

    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(version)
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(length)
        buffer.writeInteger(xid)
    }
}
