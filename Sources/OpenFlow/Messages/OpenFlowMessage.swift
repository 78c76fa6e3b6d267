import NIOCore

/// One complete OpenFlow 1.0 message: its transaction id and its typed body.
public struct OpenFlowMessage: Hashable, Sendable {
    /// The header's version: 1.0, except for a HELLO or ERROR from a peer that speaks another
    /// version. Those two are read at any version because their layout is the same in every
    /// version, and version negotiation depends on them (Open vSwitch, for one, sends its
    /// HELLO_FAILED error in the peer's version).
    public var version: UInt8
    public var xid: UInt32
    public var body: Body

    public init(version: UInt8 = OpenFlowHeader.version10, xid: UInt32, _ body: Body) {
        self.version = version
        self.xid = xid
        self.body = body
    }

    /// Whether a message of this type is accepted at a version other than 1.0.
    @inlinable
    static func isVersionIndependent(_ type: MessageType) -> Bool {
        type == .hello || type == .error
    }

    public enum Body: Hashable, Sendable {
        case hello(Hello)
        case error(ErrorMessage)
        case echoRequest(EchoRequest)
        case echoReply(EchoReply)
        case vendor(VendorMessage)
        case featuresRequest(FeaturesRequest)
        case featuresReply(FeaturesReply)
        case getConfigRequest(GetConfigRequest)
        case getConfigReply(GetConfigReply)
        case setConfig(SetConfig)
        case packetIn(PacketIn)
        case flowRemoved(FlowRemoved)
        case portStatus(PortStatus)
        case packetOut(PacketOut)
        case flowMod(FlowMod)
        case portMod(PortMod)
        case statsRequest(StatsRequest)
        case statsReply(StatsReply)
        case barrierRequest(BarrierRequest)
        case barrierReply(BarrierReply)
        case queueGetConfigRequest(QueueGetConfigRequest)
        case queueGetConfigReply(QueueGetConfigReply)
    }

    public var type: MessageType { body.type }
}

extension OpenFlowMessage.Body {
    public var type: MessageType {
        switch self {
        case .hello: return .hello
        case .error: return .error
        case .echoRequest: return .echoRequest
        case .echoReply: return .echoReply
        case .vendor: return .vendor
        case .featuresRequest: return .featuresRequest
        case .featuresReply: return .featuresReply
        case .getConfigRequest: return .getConfigRequest
        case .getConfigReply: return .getConfigReply
        case .setConfig: return .setConfig
        case .packetIn: return .packetIn
        case .flowRemoved: return .flowRemoved
        case .portStatus: return .portStatus
        case .packetOut: return .packetOut
        case .flowMod: return .flowMod
        case .portMod: return .portMod
        case .statsRequest: return .statsRequest
        case .statsReply: return .statsReply
        case .barrierRequest: return .barrierRequest
        case .barrierReply: return .barrierReply
        case .queueGetConfigRequest: return .queueGetConfigRequest
        case .queueGetConfigReply: return .queueGetConfigReply
        }
    }
}

extension OpenFlowMessage {
    /// Parses exactly one message from the front of `buffer`, consuming it.
    ///
    /// The header's length is checked against `maximumLength` and against the bytes available
    /// before anything else is read. On error `buffer` is left as it was.
    @inlinable
    public init(parsing buffer: inout ByteBuffer, maximumLength: Int = OpenFlowHeader.maximumLength) throws(WireError) {
        var (header, reader) = try Self.split(buffer, maximumLength: maximumLength)
        self = try OpenFlowMessage(header: header, body: &reader)
        buffer.moveReaderIndex(forwardBy: Int(header.length))
    }

    /// The header at the front of `buffer` and a reader over the body it announces, both
    /// checked before the body is read: the length against `maximumLength` and against the
    /// bytes available.
    @inlinable
    static func split(_ buffer: ByteBuffer, maximumLength: Int) throws(WireError) -> (OpenFlowHeader, WireReader) {
        guard let header = try OpenFlowHeader.peek(in: buffer, maximumLength: maximumLength) else {
            throw WireError(
                .truncated(needed: OpenFlowHeader.size, available: buffer.readableBytes), field: "ofp_header", offset: 0
            )
        }
        let length = Int(header.length)
        guard
            let bodyBytes = buffer.getSlice(
                at: buffer.readerIndex + OpenFlowHeader.size, length: length - OpenFlowHeader.size)
        else {
            throw WireError(
                .truncated(needed: length, available: buffer.readableBytes), field: "ofp_header.length", offset: 2)
        }
        return (header, WireReader(bodyBytes, messageOffset: OpenFlowHeader.size))
    }

    /// Only HELLO and ERROR are read at a version other than 1.0.
    @inlinable
    static func checkVersion(_ header: OpenFlowHeader) throws(WireError) {
        if header.version != OpenFlowHeader.version10 && !Self.isVersionIndependent(header.type) {
            throw WireError(.unsupportedVersion(header.version), field: "ofp_header.version", offset: 0)
        }
    }

    /// Parses a message body whose header has already been read and validated.
    @inlinable
    public init(header: OpenFlowHeader, body reader: inout WireReader) throws(WireError) {
        try Self.checkVersion(header)
        let length = Int(header.length)
        switch header.type {
        case .hello:
            self.init(
                version: header.version, xid: header.xid, .hello(try Self.parse(Hello.self, length: length, &reader)))
        case .error:
            self.init(
                version: header.version, xid: header.xid,
                .error(try Self.parse(ErrorMessage.self, length: length, &reader)))
        case .echoRequest:
            self.init(xid: header.xid, .echoRequest(try Self.parse(EchoRequest.self, length: length, &reader)))
        case .echoReply: self.init(xid: header.xid, .echoReply(try Self.parse(EchoReply.self, length: length, &reader)))
        case .vendor: self.init(xid: header.xid, .vendor(try Self.parse(VendorMessage.self, length: length, &reader)))
        case .featuresRequest:
            self.init(xid: header.xid, .featuresRequest(try Self.parse(FeaturesRequest.self, length: length, &reader)))
        case .featuresReply:
            self.init(xid: header.xid, .featuresReply(try Self.parse(FeaturesReply.self, length: length, &reader)))
        case .getConfigRequest:
            self.init(
                xid: header.xid, .getConfigRequest(try Self.parse(GetConfigRequest.self, length: length, &reader)))
        case .getConfigReply:
            self.init(xid: header.xid, .getConfigReply(try Self.parse(GetConfigReply.self, length: length, &reader)))
        case .setConfig: self.init(xid: header.xid, .setConfig(try Self.parse(SetConfig.self, length: length, &reader)))
        case .packetIn: self.init(xid: header.xid, .packetIn(try Self.parse(PacketIn.self, length: length, &reader)))
        case .flowRemoved:
            self.init(xid: header.xid, .flowRemoved(try Self.parse(FlowRemoved.self, length: length, &reader)))
        case .portStatus:
            self.init(xid: header.xid, .portStatus(try Self.parse(PortStatus.self, length: length, &reader)))
        case .packetOut: self.init(xid: header.xid, .packetOut(try Self.parse(PacketOut.self, length: length, &reader)))
        case .flowMod: self.init(xid: header.xid, .flowMod(try Self.parse(FlowMod.self, length: length, &reader)))
        case .portMod: self.init(xid: header.xid, .portMod(try Self.parse(PortMod.self, length: length, &reader)))
        case .statsRequest:
            self.init(xid: header.xid, .statsRequest(try Self.parse(StatsRequest.self, length: length, &reader)))
        case .statsReply:
            self.init(xid: header.xid, .statsReply(try Self.parse(StatsReply.self, length: length, &reader)))
        case .barrierRequest:
            self.init(xid: header.xid, .barrierRequest(try Self.parse(BarrierRequest.self, length: length, &reader)))
        case .barrierReply:
            self.init(xid: header.xid, .barrierReply(try Self.parse(BarrierReply.self, length: length, &reader)))
        case .queueGetConfigRequest:
            self.init(
                xid: header.xid,
                .queueGetConfigRequest(try Self.parse(QueueGetConfigRequest.self, length: length, &reader)))
        case .queueGetConfigReply:
            self.init(
                xid: header.xid, .queueGetConfigReply(try Self.parse(QueueGetConfigReply.self, length: length, &reader))
            )
        default:
            throw WireError(.unknownType(UInt64(header.type.rawValue)), field: "ofp_header.type", offset: 1)
        }
    }

    /// Checks that `frame` is exactly one well-formed message, with the errors `init(parsing:)`
    /// would throw, and returns its header. FLOW_MOD and PACKET_OUT, which units above send
    /// down with nearly every return, are checked without building their values (no action
    /// list is allocated), so a unit can forward their bytes as they came; any other type is
    /// parsed.
    public static func check(frame: ByteBuffer) throws(WireError) -> OpenFlowHeader {
        var (header, reader) = try split(frame, maximumLength: OpenFlowHeader.maximumLength)
        let length = Int(header.length)
        guard length == frame.readableBytes else {
            throw WireError(
                .wrongBodySize(size: frame.readableBytes, expected: length), field: "ofp_header.length", offset: 2)
        }
        try check(header: header, body: &reader)
        return header
    }

    /// Checks a message whose header has been read (its length is the body's and the
    /// header's) as `check(frame:)` does; `body` reports offsets from the message's start.
    public static func check(header: OpenFlowHeader, body reader: inout WireReader) throws(WireError) {
        switch header.type {
        case .flowMod:
            try checkHeader(header, of: FlowMod.self)
            try FlowMod.check(&reader)
        case .packetOut:
            try checkHeader(header, of: PacketOut.self)
            try PacketOut.check(&reader)
        default:
            _ = try OpenFlowMessage(header: header, body: &reader)
        }
    }

    /// Checks the message length against the body type's size, then parses the body.
    @inlinable
    static func parse<Body: OpenFlowMessageBody>(
        _: Body.Type, length: Int, _ reader: inout WireReader
    ) throws(WireError) -> Body {
        try checkLength(Body.self, length: length)
        return try Body(parsing: &reader)
    }

    /// The header checks parsing makes before a body of this type is read, for a body read
    /// outside `init(header:body:)` (checked in place, or read straight from its frame).
    static func checkHeader<Body: OpenFlowMessageBody>(_ header: OpenFlowHeader, of _: Body.Type) throws(WireError) {
        try checkVersion(header)
        try checkLength(Body.self, length: Int(header.length))
    }

    @inlinable
    static func checkLength<Body: OpenFlowMessageBody>(_: Body.Type, length: Int) throws(WireError) {
        if Body.isFixedSize {
            guard length == Body.minimumLength else {
                throw WireError(
                    .wrongBodySize(size: length, expected: Body.minimumLength), field: "ofp_header.length", offset: 2)
            }
        } else {
            guard length >= Body.minimumLength else {
                throw WireError(
                    .lengthBelowMinimum(length: length, minimum: Body.minimumLength), field: "ofp_header.length",
                    offset: 2)
            }
        }
    }

    /// Appends the encoded message to `buffer`. The header's length is filled in afterwards,
    /// so no body has to compute its own size in advance.
    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        Self.write(version: version, xid: xid, body, to: &buffer)
    }

    /// Appends a message given by its parts, for senders that hold a body and choose its xid
    /// as they send it: no message value is built and copied for that.
    @inlinable
    public static func write(
        version: UInt8 = OpenFlowHeader.version10, xid: UInt32, _ body: Body, to buffer: inout ByteBuffer
    ) {
        write(version: version, xid: xid, body, to: &buffer, prefixLength: 0) { _, _ in }
    }

    /// Appends `prefixLength` bytes written by `prefix` (the headers of a message that
    /// carries this one), then the message. For the messages sent at the rate of PACKET_INs
    /// (PACKET_IN, FLOW_MOD, PACKET_OUT without vendor actions) the prefix, the header, every
    /// field and the packet data go through one view of the buffer instead of several writes,
    /// each with its own checks. Those messages' lengths are known before they are written:
    /// `prefix` is given the whole length (its own bytes and the message's), so that a carrier
    /// can write its length with its header; nil for the other messages.
    @inlinable
    public static func write(
        version: UInt8 = OpenFlowHeader.version10, xid: UInt32, _ body: Body, to buffer: inout ByteBuffer,
        prefixLength: Int, _ prefix: (inout FixedFieldWriter, _ wholeLength: Int?) -> Void
    ) {
        let type = body.type
        switch body {
        case .flowMod(let flowMod):
            if let length = flowMod.fixedMessageLength {
                buffer.writeFixed(prefixLength + length) { field in
                    prefix(&field, prefixLength + length)
                    OpenFlowHeader(version: version, type: type, length: Self.checkedLength(length), xid: xid).write(
                        to: &field)
                    flowMod.write(to: &field)
                }
                return
            }
        case .packetOut(let packetOut):
            if let fixed = packetOut.fixedMessageLengthBeforeData {
                let length = Self.checkedLength(fixed + packetOut.data.readableBytes)
                buffer.writeFixed(prefixLength + Int(length)) { field in
                    prefix(&field, prefixLength + Int(length))
                    OpenFlowHeader(version: version, type: type, length: length, xid: xid).write(to: &field)
                    packetOut.write(to: &field, actionsLength: fixed - PacketOut.minimumLength)
                    field.write(bytesOf: packetOut.data)
                }
                return
            }
        case .packetIn(let packetIn):
            let length = Self.checkedLength(PacketIn.minimumLength + packetIn.data.readableBytes)
            buffer.writeFixed(prefixLength + Int(length)) { field in
                prefix(&field, prefixLength + Int(length))
                OpenFlowHeader(version: version, type: type, length: length, xid: xid).write(to: &field)
                packetIn.writeFixedFields(to: &field)
                field.write(bytesOf: packetIn.data)
            }
            return
        default:
            break
        }
        if prefixLength > 0 { buffer.writeFixed(prefixLength) { prefix(&$0, nil) } }
        let start = buffer.writerIndex
        OpenFlowHeader(version: version, type: type, length: 0, xid: xid).write(to: &buffer)
        switch body {
        case .hello(let body): body.write(to: &buffer)
        case .error(let body): body.write(to: &buffer)
        case .echoRequest(let body): body.write(to: &buffer)
        case .echoReply(let body): body.write(to: &buffer)
        case .vendor(let body): body.write(to: &buffer)
        case .featuresRequest(let body): body.write(to: &buffer)
        case .featuresReply(let body): body.write(to: &buffer)
        case .getConfigRequest(let body): body.write(to: &buffer)
        case .getConfigReply(let body): body.write(to: &buffer)
        case .setConfig(let body): body.write(to: &buffer)
        case .packetIn(let body): body.write(to: &buffer)
        case .flowRemoved(let body): body.write(to: &buffer)
        case .portStatus(let body): body.write(to: &buffer)
        case .packetOut(let body): body.write(to: &buffer)
        case .flowMod(let body): body.write(to: &buffer)
        case .portMod(let body): body.write(to: &buffer)
        case .statsRequest(let body): body.write(to: &buffer)
        case .statsReply(let body): body.write(to: &buffer)
        case .barrierRequest(let body): body.write(to: &buffer)
        case .barrierReply(let body): body.write(to: &buffer)
        case .queueGetConfigRequest(let body): body.write(to: &buffer)
        case .queueGetConfigReply(let body): body.write(to: &buffer)
        }
        buffer.setInteger(Self.checkedLength(buffer.writerIndex - start), at: start + 2)
    }

    @inlinable
    static func checkedLength(_ length: Int) -> UInt16 {
        precondition(
            length <= OpenFlowHeader.maximumLength,
            "OpenFlow message of \(length) bytes exceeds the 16-bit length field")
        return UInt16(length)
    }

    /// The encoded message as a new buffer.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        write(to: &buffer)
        return buffer
    }
}
