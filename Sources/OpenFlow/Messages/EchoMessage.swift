import NIOCore

/// A message whose body is an opaque payload the peer gives back unchanged.
public protocol EchoBody: OpenFlowMessageBody, Encodable {
    var payload: ByteBuffer { get }
    init(payload: ByteBuffer)
}

extension EchoBody {
    public init(parsing reader: inout WireReader) throws(WireError) { self.init(payload: reader.readRest()) }
    public func write(to buffer: inout ByteBuffer) { buffer.writeImmutableBuffer(payload) }
}

/// OFPT_ECHO_REQUEST: a keepalive whose arbitrary payload the peer echoes back.
public struct EchoRequest: EchoBody {
    public static let messageType = MessageType.echoRequest
    public var payload: ByteBuffer
    public init(payload: ByteBuffer = ByteBuffer()) { self.payload = payload }
}

/// OFPT_ECHO_REPLY: carries the request's payload unchanged.
public struct EchoReply: EchoBody {
    public static let messageType = MessageType.echoReply
    public var payload: ByteBuffer
    public init(payload: ByteBuffer = ByteBuffer()) { self.payload = payload }
    public init(answering request: EchoRequest) { self.payload = request.payload }
}
