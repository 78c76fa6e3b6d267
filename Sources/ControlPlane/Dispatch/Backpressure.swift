import OpenFlow
import UnitProtocol

/// When this unit stops reading an input (a switch, or a unit below or beside it that sends
/// events) and when it reads it again, so that events beyond what the services above can answer
/// wait in the input's own TCP buffers (or are dropped by the switch), not in this unit's
/// memory and not as transactions that time out unanswered.
///
/// Two bounds, checked when an input's read burst ends:
/// - **A window per switch.** A switch with `window` events open above (sent up, not yet
///   answered) is paused, and read again once it is down to half of that. No switch can take
///   the tables for itself, and each keeps its share of the answers however hard the others
///   flood.
/// - **Congestion.** While the transaction or parked-context table is at its high-water mark, or
///   a channel to a unit this one sends events to has more unwritten than its limit, every
///   input that ends a burst is paused (units below included: a slow unit above slows the whole
///   path, with bounded queues at every hop); all are read again, in the order they were
///   paused, once the tables are under their low-water mark and the channels drained.
///
/// Pure: the caller reports the counts and performs the pauses and resumptions it is given.
public struct Backpressure: Sendable {
    /// Events one switch may have open above at a time.
    public let window: Int
    private var paused: [EventOrigin] = []
    private var pausedSet: Set<EventOrigin> = []
    public private(set) var congested = false
    /// Overload episodes so far (a start of congestion, or of a switch at its window, with
    /// nothing paused before).
    public private(set) var episodes = 0
    /// Pauses so far, of any input.
    public private(set) var pauses = 0

    public init(window: Int) {
        self.window = max(1, window)
    }

    /// How full the dispatcher's tables and the channels up are.
    public struct Load: Hashable, Sendable {
        public var transactions: Int
        public var transactionCapacity: Int
        public var parked: Int
        public var parkedCapacity: Int
        /// Whether a channel to a unit this one sends events to has more unwritten than its limit.
        public var upwardBacklogged: Bool

        public init(
            transactions: Int, transactionCapacity: Int, parked: Int, parkedCapacity: Int, upwardBacklogged: Bool
        ) {
            self.transactions = transactions
            self.transactionCapacity = transactionCapacity
            self.parked = parked
            self.parkedCapacity = parkedCapacity
            self.upwardBacklogged = upwardBacklogged
        }

        /// At or above nine tenths of either table, or backlogged.
        var isHigh: Bool {
            upwardBacklogged || transactions * 10 >= transactionCapacity * 9 || parked * 10 >= parkedCapacity * 9
        }

        /// Below three quarters of both tables, and not backlogged.
        var isLow: Bool {
            !upwardBacklogged && transactions * 4 < transactionCapacity * 3 && parked * 4 < parkedCapacity * 3
        }
    }

    public var pausedInputs: [EventOrigin] { paused }

    /// Nothing paused and no congestion: nothing to resume.
    public var isIdle: Bool { paused.isEmpty && !congested }

    public func isPaused(_ input: EventOrigin) -> Bool { pausedSet.contains(input) }

    /// An input's read burst ended; `open` is how many of its events are open above. True when
    /// the caller stops reading it.
    public mutating func burstEnded(from input: EventOrigin, open: Int, load: Load) -> Bool {
        if !congested && load.isHigh { congested = true }
        let overWindow: Bool
        if case .switchChannel = input { overWindow = open >= window } else { overWindow = false }
        guard congested || overWindow, pausedSet.insert(input).inserted else { return false }
        if paused.isEmpty { episodes += 1 }
        paused.append(input)
        pauses += 1
        return true
    }

    /// Room may have freed (answers arrived, transactions expired, a channel up drained): the
    /// inputs to read again, in the order they were paused.
    public mutating func roomMayHaveFreed(open: (EventOrigin) -> Int, load: Load) -> [EventOrigin] {
        guard !paused.isEmpty || congested else { return [] }
        if congested {
            guard load.isLow else { return [] }
            congested = false
        }
        let resumeAt = window / 2
        var resumed: [EventOrigin] = []
        paused.removeAll { input in
            if case .switchChannel = input, open(input) > resumeAt { return false }
            resumed.append(input)
            return true
        }
        for input in resumed { pausedSet.remove(input) }
        return resumed
    }

    /// The input is gone (its channel closed): it is no longer paused.
    public mutating func inputGone(_ input: EventOrigin) {
        guard pausedSet.remove(input) != nil else { return }
        paused.removeAll { $0 == input }
    }
}
