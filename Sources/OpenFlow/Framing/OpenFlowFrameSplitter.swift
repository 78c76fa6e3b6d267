import NIOCore

/// Cuts the chunks a TCP stream is read in into whole OpenFlow messages, for a channel handler
/// that reads its own frames: `while let frame = try splitter.next(from: &chunk)`. Each call
/// returns before the frame is handled, so handling it may close the channel and `finish`.
///
/// Every whole message inside a chunk is handed on as a slice of it. Only a message that
/// straddles two chunks is copied: its first bytes are kept, and the next chunk adds what it
/// lacks. (NIO's single-step processor appends each new chunk to whatever is left over,
/// which copies the whole chunk whenever the last one ended mid-message, as chunks of a busy
/// unit channel nearly always do.) A header whose length lies is thrown, as
/// `OpenFlowFrameDecoder` throws it, before anything is kept for that length.
public struct OpenFlowFrameSplitter: Sendable {
    public let maximumLength: Int
    /// The first bytes of a message the chunks so far did not complete.
    private var partial: ByteBuffer?

    public init(maximumLength: Int = OpenFlowHeader.maximumLength) {
        self.maximumLength = maximumLength
    }

    /// Bytes kept of a message not yet whole.
    public var unprocessedBytes: Int { partial?.readableBytes ?? 0 }

    /// The next whole message: the kept bytes completed from the front of `chunk`, or one cut
    /// from `chunk`. Nil once `chunk` holds no whole message more; what is left of it is then
    /// kept for the next chunk, and `chunk` is empty.
    public mutating func next(from chunk: inout ByteBuffer) throws(WireError) -> ByteBuffer? {
        if partial != nil {
            if let completed = try complete(from: &chunk) { return completed }
            // Still short: all of `chunk` went into it.
            if partial != nil { return nil }
        }
        if let frame = try OpenFlowFrameDecoder.nextFrame(from: &chunk, maximumLength: maximumLength) { return frame }
        if chunk.readableBytes > 0 { partial = Self.keep(&chunk) }
        return nil
    }

    /// The start of a message that `chunk` ends in, taken into a buffer of its own with room
    /// for the whole message. Kept as a view of the chunk instead, it would hold the read's
    /// whole buffer back from the allocator that reuses it, and completing it would copy that
    /// whole buffer to make room.
    private static func keep(_ chunk: inout ByteBuffer) -> ByteBuffer {
        // A whole header here has passed `nextFrame`'s checks: its length can be trusted.
        let length =
            chunk.readableBytes >= OpenFlowHeader.size
            ? OpenFlowFrameDecoder.expectedLength(of: chunk) : OpenFlowHeader.size
        var kept = ByteBufferAllocator().buffer(capacity: max(length, chunk.readableBytes))
        kept.writeBuffer(&chunk)
        return kept
    }

    /// The stream ended: a message it left unfinished is an error.
    public func finish() throws(WireError) {
        guard let partial, partial.readableBytes > 0 else { return }
        throw WireError(
            .truncated(needed: OpenFlowFrameDecoder.expectedLength(of: partial), available: partial.readableBytes),
            field: "ofp_header.length", offset: 2)
    }

    /// The kept message with what `chunk` adds to it (taken off its front): the message when
    /// that completes it, nil when it is still short or nothing was kept.
    private mutating func complete(from chunk: inout ByteBuffer) throws(WireError) -> ByteBuffer? {
        guard var kept = partial else { return nil }
        partial = nil
        if kept.readableBytes < OpenFlowHeader.size {
            if var head = chunk.readSlice(length: min(OpenFlowHeader.size - kept.readableBytes, chunk.readableBytes)) {
                kept.writeBuffer(&head)
            }
        }
        guard let header = try OpenFlowHeader.peek(in: kept, maximumLength: maximumLength) else {
            partial = kept
            return nil
        }
        let missing = Int(header.length) - kept.readableBytes
        // One copy of the kept bytes, into room for the whole message.
        kept.reserveCapacity(minimumWritableBytes: missing)
        if var rest = chunk.readSlice(length: min(missing, chunk.readableBytes)) { kept.writeBuffer(&rest) }
        guard kept.readableBytes == Int(header.length) else {
            partial = kept
            return nil
        }
        return kept
    }
}
