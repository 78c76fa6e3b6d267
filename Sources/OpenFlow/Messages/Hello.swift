import NIOCore

/// OFPT_HELLO. OpenFlow 1.0 defines no body, but later versions append elements; they are kept
/// as bytes so that a peer's HELLO can be inspected during version negotiation.
public struct Hello: OpenFlowMessageBody {
    public static let messageType = MessageType.hello

    /// The version the sender announced in its header.
    public var version: UInt8
    public var elements: ByteBuffer

    public init(version: UInt8 = OpenFlowHeader.version10, elements: ByteBuffer = ByteBuffer()) {
        self.version = version
        self.elements = elements
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        self.init(elements: reader.readRest())
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(elements)
    }
}
