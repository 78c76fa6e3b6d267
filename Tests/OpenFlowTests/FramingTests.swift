import NIOCore
import NIOEmbedded
import OpenFlow
import Testing

@Suite struct FramingTests {
    /// All samples back to back, as a switch might send them in one burst.
    static let stream: ByteBuffer = {
        var buffer = ByteBuffer()
        for (_, message) in SampleMessages.all { message.write(to: &buffer) }
        return buffer
    }()

    static func decodeAll(_ chunks: [ByteBuffer]) throws -> [OpenFlowMessage] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(OpenFlowFrameDecoder()))
        var frames: [ByteBuffer] = []
        for chunk in chunks {
            try channel.writeInbound(chunk)
            while let frame = try channel.readInbound(as: ByteBuffer.self) { frames.append(frame) }
        }
        _ = try channel.finish()
        return try frames.map { frame in
            var frame = frame
            let message = try OpenFlowMessage(parsing: &frame)
            #expect(frame.readableBytes == 0)
            return message
        }
    }

    @Test func coalescedStreamDecodesEveryMessage() throws {
        let decoded = try Self.decodeAll([Self.stream])
        #expect(decoded == SampleMessages.all.map(\.1))
    }

    @Test func streamSplitAtEveryByteBoundaryDecodesIdentically() throws {
        let expected = SampleMessages.all.map(\.1)
        let total = Self.stream.readableBytes
        for split in 1..<total {
            let first = Self.stream.getSlice(at: 0, length: split) ?? ByteBuffer()
            let second = Self.stream.getSlice(at: split, length: total - split) ?? ByteBuffer()
            #expect(try Self.decodeAll([first, second]) == expected, "split at \(split)")
        }
    }

    @Test func oneByteAtATimeDecodesIdentically() throws {
        let chunks = (0..<Self.stream.readableBytes).map { Self.stream.getSlice(at: $0, length: 1) ?? ByteBuffer() }
        #expect(try Self.decodeAll(chunks) == SampleMessages.all.map(\.1))
    }

    @Test func lyingLengthIsAFramingErrorBeforeBuffering() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(OpenFlowFrameDecoder(maximumLength: 1500)))
        // A header claiming 60,000 bytes: rejected on sight, not after buffering 60,000 bytes.
        #expect(
            throws: WireError(.lengthAboveMaximum(length: 60_000, maximum: 1500), field: "ofp_header.length", offset: 2)
        ) {
            try channel.writeInbound(ByteBuffer(bytes: [1, 10, 0xea, 0x60, 0, 0, 0, 0]))
        }
        _ = try? channel.finish()
    }

    @Test func lengthBelowHeaderIsAFramingError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(OpenFlowFrameDecoder()))
        #expect(throws: WireError(.lengthBelowMinimum(length: 7, minimum: 8), field: "ofp_header.length", offset: 2)) {
            try channel.writeInbound(ByteBuffer(bytes: [1, 0, 0, 7, 0, 0, 0, 0]))
        }
        _ = try? channel.finish()
    }

    @Test func closingMidMessageReportsTheTruncation() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(OpenFlowFrameDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: [1, 2, 0, 12, 0, 0, 0, 0, 1]))
        #expect(throws: WireError(.truncated(needed: 12, available: 9), field: "ofp_header.length", offset: 2)) {
            _ = try channel.finish()
        }
    }

    @Test func encoderWritesMessages() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(OpenFlowMessageEncoder()))
        let message = OpenFlowMessage(xid: 7, .echoRequest(EchoRequest(payload: ByteBuffer(bytes: [1, 2]))))
        try channel.writeOutbound(message)
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(written == message.encoded())
        _ = try channel.finish()
    }
}
