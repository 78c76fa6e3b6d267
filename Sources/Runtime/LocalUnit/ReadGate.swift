import NIOCore

/// Holds a channel's reads while the unit cannot take more of its events (backpressure): NIO
/// asks the pipeline to read again after every read, and a held request is issued on resume,
/// so that what the peer sends meanwhile waits in its socket and in the kernel's buffers.
struct ReadGate {
    private(set) var isPaused = false
    private var readWanted = false

    /// NIO asks to read: whether the read goes on now.
    mutating func shouldRead() -> Bool {
        guard isPaused else { return true }
        readWanted = true
        return false
    }

    mutating func pause() { isPaused = true }

    /// No longer paused, but the read NIO asked for meanwhile is kept back, for the caller to
    /// handle what it held first (`resume` issues it).
    mutating func resumeHolding() { isPaused = false }

    /// Reads may go on: the read NIO asked for meanwhile, if any, is issued now.
    mutating func resume(_ context: ChannelHandlerContext?) {
        isPaused = false
        guard readWanted else { return }
        readWanted = false
        context?.read()
    }
}
