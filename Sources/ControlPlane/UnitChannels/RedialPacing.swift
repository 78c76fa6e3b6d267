import NIOCore

/// When a dialer dials again. A channel that closes soon after it opened counts as a failed
/// dial: a neighbour that accepts and drops at once (it refuses this unit, or has too many
/// connections in their handshake) is redialed with the same growing backoff as one that is
/// down, instead of every `initial` delay for ever. Only a channel that stayed open longer
/// than the longest delay starts the backoff over. Pure, so tests drive it with plain values.
public struct RedialPacing: Sendable {
    public private(set) var backoff: RedialBackoff
    /// When the current channel opened (its TCP connection was made).
    private var openedAt: NIODeadline?

    public init(backoff: RedialBackoff) { self.backoff = backoff }

    /// How long a channel must stay open to count as having worked.
    public var stableAfter: TimeAmount { backoff.maximum }

    public mutating func opened(now: NIODeadline) { openedAt = now }

    /// The delay after a dial that failed.
    public mutating func delayAfterFailure(random: Double) -> TimeAmount {
        openedAt = nil
        return backoff.nextDelay(random: random)
    }

    /// The delay after the channel closed, and whether it had stayed open long enough to
    /// start the backoff over.
    public mutating func delayAfterClose(now: NIODeadline, random: Double) -> (delay: TimeAmount, stayedUp: Bool) {
        let stayedUp = openedAt.map { now - $0 > stableAfter } ?? false
        openedAt = nil
        if stayedUp { backoff.reset() }
        return (backoff.nextDelay(random: random), stayedUp)
    }
}
