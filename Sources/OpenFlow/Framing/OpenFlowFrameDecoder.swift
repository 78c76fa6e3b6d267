import NIOCore

/// Splits a TCP byte stream into whole OpenFlow messages, however the reads fall.
///
/// It emits each message's bytes unparsed (a slice, not a copy): a body that fails to parse
/// is the connection's business (it may answer with OFPT_ERROR and carry on), whereas a header
/// whose length lies leaves no way to find the next message, so that is the only error thrown
/// here, and it is thrown before any bytes are buffered for the lying length.
///
/// It serves as a `ByteToMessageDecoder` in a pipeline, or as a `NIOSingleStepByteToMessageDecoder`
/// inside a handler that wants whole frames without a pipeline hop per message.
public struct OpenFlowFrameDecoder: ByteToMessageDecoder, NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    public let maximumLength: Int

    public init(maximumLength: Int = OpenFlowHeader.maximumLength) {
        self.maximumLength = maximumLength
    }

    /// Takes one complete message off the front of `buffer`, or nil if it is not all there yet.
    @inlinable
    public static func nextFrame(from buffer: inout ByteBuffer, maximumLength: Int) throws(WireError) -> ByteBuffer? {
        guard let header = try OpenFlowHeader.peek(in: buffer, maximumLength: maximumLength) else { return nil }
        return buffer.readSlice(length: Int(header.length))
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        try Self.nextFrame(from: &buffer, maximumLength: maximumLength)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        if let frame = try decode(buffer: &buffer) { return frame }
        if buffer.readableBytes > 0 {
            throw WireError(
                .truncated(needed: Self.expectedLength(of: buffer), available: buffer.readableBytes),
                field: "ofp_header.length", offset: 2)
        }
        return nil
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(from: &buffer, maximumLength: maximumLength) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // The peer closed mid-message: decodeLast(buffer:seenEOF:) reports what was missing.
        guard let frame = try decodeLast(buffer: &buffer, seenEOF: seenEOF) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// The length the header at the front says, or a header's size when there is no length yet.
    static func expectedLength(of buffer: ByteBuffer) -> Int {
        buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self).map(Int.init) ?? OpenFlowHeader.size
    }
}

/// Encodes outbound `OpenFlowMessage`s.
public struct OpenFlowMessageEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = OpenFlowMessage

    public init() {}

    public func encode(data: OpenFlowMessage, out: inout ByteBuffer) throws {
        data.write(to: &out)
    }
}
