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
        return try messages(in: frames)
    }

    /// Each frame parsed as exactly one message.
    static func messages(in frames: [ByteBuffer]) throws -> [OpenFlowMessage] {
        try frames.map { frame in
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

/// The splitter a channel handler reads its own frames with: every message whole, however the
/// chunks fall, and nothing kept but the start of a message a chunk left unfinished.
@Suite struct FrameSplitterTests {
    static func split(
        _ chunks: [ByteBuffer], maximumLength: Int = OpenFlowHeader.maximumLength
    ) throws
        -> [OpenFlowMessage]
    {
        var splitter = OpenFlowFrameSplitter(maximumLength: maximumLength)
        var frames: [ByteBuffer] = []
        for var chunk in chunks {
            while let frame = try splitter.next(from: &chunk) { frames.append(frame) }
            #expect(chunk.readableBytes == 0)
        }
        try splitter.finish()
        #expect(splitter.unprocessedBytes == 0)
        return try FramingTests.messages(in: frames)
    }

    @Test func aStreamCutAnywhereInTwoOrThreeChunksGivesEveryMessage() throws {
        let stream = FramingTests.stream
        let expected = SampleMessages.all.map(\.1)
        let total = stream.readableBytes
        for split in 1..<total {
            let first = stream.getSlice(at: 0, length: split) ?? ByteBuffer()
            let second = stream.getSlice(at: split, length: total - split) ?? ByteBuffer()
            #expect(try Self.split([first, second]) == expected, "split at \(split)")
        }
        // A message that spans three chunks, the middle one inside it.
        for split in stride(from: 1, to: total - 3, by: 7) {
            let chunks = [
                stream.getSlice(at: 0, length: split), stream.getSlice(at: split, length: 3),
                stream.getSlice(at: split + 3, length: total - split - 3),
            ].map { $0 ?? ByteBuffer() }
            #expect(try Self.split(chunks) == expected, "three chunks from \(split)")
        }
    }

    @Test func oneByteAtATimeGivesEveryMessage() throws {
        let stream = FramingTests.stream
        let chunks = (0..<stream.readableBytes).map { stream.getSlice(at: $0, length: 1) ?? ByteBuffer() }
        #expect(try Self.split(chunks) == SampleMessages.all.map(\.1))
    }

    @Test func aHeaderThatLiesIsThrownWhenItIsWholeEvenAcrossChunks() throws {
        var splitter = OpenFlowFrameSplitter(maximumLength: 1500)
        var start = ByteBuffer(bytes: [1, 10, 0xea])
        #expect(try splitter.next(from: &start) == nil)
        var rest = ByteBuffer(bytes: [0x60, 0, 0, 0, 0])
        #expect(
            throws: WireError(.lengthAboveMaximum(length: 60_000, maximum: 1500), field: "ofp_header.length", offset: 2)
        ) {
            _ = try splitter.next(from: &rest)
        }
        var below = OpenFlowFrameSplitter()
        var short = ByteBuffer(bytes: [1, 0, 0, 7, 0, 0, 0, 0])
        #expect(throws: WireError(.lengthBelowMinimum(length: 7, minimum: 8), field: "ofp_header.length", offset: 2)) {
            _ = try below.next(from: &short)
        }
    }

    @Test func aStreamEndingMidMessageReportsTheTruncation() throws {
        var splitter = OpenFlowFrameSplitter()
        var chunk = ByteBuffer(bytes: [1, 2, 0, 12, 0, 0, 0, 0, 1])
        #expect(try splitter.next(from: &chunk) == nil)
        #expect(splitter.unprocessedBytes == 9)
        #expect(throws: WireError(.truncated(needed: 12, available: 9), field: "ofp_header.length", offset: 2)) {
            try splitter.finish()
        }
    }

    /// A whole message inside a chunk is a slice of it: the chunk's bytes are not copied.
    @Test func wholeMessagesAreSlicesOfTheirChunk() throws {
        let message = OpenFlowMessage(xid: 3, .echoRequest(EchoRequest(payload: ByteBuffer(bytes: [9]))))
        var chunk = message.encoded()
        message.write(to: &chunk)
        let base = chunk.withUnsafeReadableBytes { $0.baseAddress }
        var splitter = OpenFlowFrameSplitter()
        var starts: [UnsafeRawPointer?] = []
        while let frame = try splitter.next(from: &chunk) {
            starts.append(frame.withUnsafeReadableBytes { $0.baseAddress })
        }
        #expect(starts == [base, base.map { $0 + message.encoded().readableBytes }])
    }
}
