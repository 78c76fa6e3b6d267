import NIOCore

/// OFPT_HELLO. OpenFlow 1.0 defines no body, but later versions append elements (such as a
/// version bitmap); they are kept as bytes so that a peer's HELLO can be inspected during
/// version negotiation. The version the peer announced is `OpenFlowMessage.version`.
public struct Hello: OpenFlowMessageBody {
    public static let messageType = MessageType.hello

    public var elements: ByteBuffer

    public init(elements: ByteBuffer = ByteBuffer()) {
        self.elements = elements
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        self.init(elements: reader.readRest())
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(elements)
    }
}
