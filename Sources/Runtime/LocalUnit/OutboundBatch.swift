import NIOCore
import OpenFlow
import UnitProtocol

/// The OpenFlow messages a channel handler has written since its last flush, sent as one
/// write: one buffer and one system call for a burst of answers, instead of one per message.
/// Unit messages appended one after another are packed into shared vendor messages.
struct OutboundBatch {
    private var buffer = ByteBuffer()
    private var spare: ByteBuffer?
    private var packer = UnitMessagePacker(maximumLength: OutboundBatch.unitPackLength)

    /// The longest vendor message unit messages are packed into. The unit reading them copies a
    /// vendor message that straddles two of its socket reads (64 KB at most): packed to the
    /// OpenFlow maximum, nearly every one straddles, and nearly every byte is copied once more.
    static let unitPackLength = 8 * 1024

    /// Takes a buffer from the channel's allocator when the handler joins the pipeline.
    mutating func attach(to context: ChannelHandlerContext) {
        buffer = context.channel.allocator.buffer(capacity: 1024)
        spare = context.channel.allocator.buffer(capacity: 1024)
    }

    mutating func append(_ message: OpenFlowMessage) {
        packer.close()
        message.write(to: &buffer)
    }

    mutating func append(xid: UInt32, _ body: OpenFlowMessage.Body) {
        packer.close()
        OpenFlowMessage.write(xid: xid, body, to: &buffer)
    }

    mutating func append(_ message: EventReturn.SwitchMessage, xid: UInt32) {
        packer.close()
        message.write(to: &buffer, xid: xid)
    }

    /// Returns how many of the messages were FLOW_MODs (`SwitchMessageList.writeFrames`).
    mutating func append(_ messages: EventReturn.SwitchMessageList, xid: UInt32) -> Int {
        packer.close()
        return messages.writeFrames(to: &buffer, xid: xid)
    }

    /// The unit message `write` appends with `xid` (an event or a return, written from its
    /// parts), packed with the unit messages appended just before it (`UnitMessagePacker`).
    /// Returns whether the batch was empty before: the first message since the last write asks
    /// for one.
    mutating func appendPacked(xid: UInt32, _ write: (inout ByteBuffer, UInt32) -> Void) -> Bool {
        let wasEmpty = buffer.readableBytes == 0
        packer.append(to: &buffer) { write(&$0, xid) }
        return wasEmpty
    }

    /// Hands over what has been appended, if anything, leaving the batch empty. The caller
    /// writes it and gives the buffer back with `recycle`: the batch must not be in the middle of
    /// a mutation while the pipeline runs, because a write can close a channel and run other
    /// handlers' callbacks, which may append to or flush this batch again.
    mutating func take() -> ByteBuffer? {
        guard buffer.readableBytes > 0 else { return nil }
        packer.close()
        var bytes = spare ?? ByteBuffer()
        spare = nil
        swap(&bytes, &buffer)
        return bytes
    }

    /// Keeps a written buffer for the next batch. Usually the socket took the bytes at once and
    /// released the buffer, so clearing it reuses its storage.
    mutating func recycle(_ written: inout ByteBuffer) {
        written.clear()
        spare = written
    }
}
