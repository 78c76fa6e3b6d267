import NIOCore

/// OFPT_ECHO_REQUEST: a keepalive whose arbitrary payload the peer echoes back.
public struct EchoRequest: OpenFlowMessageBody {
    public static let messageType = MessageType.echoRequest
    public var payload: ByteBuffer

    public init(payload: ByteBuffer = ByteBuffer()) { self.payload = payload }
    public init(parsing reader: inout WireReader) throws(WireError) { payload = reader.readRest() }
    public func write(to buffer: inout ByteBuffer) { buffer.writeImmutableBuffer(payload) }
}

/// OFPT_ECHO_REPLY: carries the request's payload unchanged.
public struct EchoReply: OpenFlowMessageBody {
    public static let messageType = MessageType.echoReply
    public var payload: ByteBuffer

    public init(payload: ByteBuffer = ByteBuffer()) { self.payload = payload }
    public init(answering request: EchoRequest) { self.payload = request.payload }
    public init(parsing reader: inout WireReader) throws(WireError) { payload = reader.readRest() }
    public func write(to buffer: inout ByteBuffer) { buffer.writeImmutableBuffer(payload) }
}
