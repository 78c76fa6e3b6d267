import NIOCore
import OpenFlow
import UnitProtocol

/// The OpenFlow messages a channel handler has written since its last flush, sent as one
/// write: one buffer and one system call for a burst of answers, instead of one per message.
struct OutboundBatch {
    private var buffer = ByteBuffer()

    /// Takes a buffer from the channel's allocator when the handler joins the pipeline.
    mutating func attach(to context: ChannelHandlerContext) {
        buffer = context.channel.allocator.buffer(capacity: 1024)
    }

    mutating func append(_ message: OpenFlowMessage) {
        message.write(to: &buffer)
    }

    mutating func append(_ message: UnitMessage, xid: UInt32) {
        message.write(to: &buffer, xid: xid)
    }

    /// Writes and flushes what has been appended, if anything.
    mutating func flush(_ context: ChannelHandlerContext?) {
        guard let context, buffer.readableBytes > 0 else { return }
        context.writeAndFlush(NIOAny(buffer), promise: nil)
        // Usually the socket took the bytes at once and released the buffer, so this reuses it.
        buffer.clear()
    }
}
