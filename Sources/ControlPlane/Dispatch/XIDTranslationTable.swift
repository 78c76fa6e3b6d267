import NIOCore
import OpenFlow
import UnitProtocol

/// Where an escalated event came from: a switch of ours, or a unit below us that escalated it.
public enum EventOrigin: Hashable, Sendable, CustomStringConvertible {
    case switchChannel(DatapathID)
    case unit(UnitID)

    public var description: String {
        switch self {
        case .switchChannel(let dpid): "switch \(dpid)"
        case .unit(let uid): "unit \(uid)"
        }
    }
}

/// Transaction ids for events sent up the hierarchy, mapped back to where each came from and
/// the xid it had there, so that answers return along the same path, tier by tier, and reach
/// the switch with its own xid. Bounded in size and age; time is passed in.
public struct XIDTranslationTable: Sendable {
    public struct Entry: Hashable, Sendable {
        public var origin: EventOrigin
        public var originalXID: UInt32
        public var issued: NIODeadline
        /// The service the event went to, and the neighbour it was sent to: its answer must
        /// name that service and come from that neighbour.
        public var sid: ServiceID
        public var sentTo: UnitID
        /// Answers received so far (partial ones count).
        public var returns = 0
        /// The switch's xid, for answers to a PACKET_IN.
        public var switchXID: UInt32?
        /// The parked context waiting for this transaction, by its key.
        public var context: UInt32?
        /// Set when the transaction itself is what waits (`TransactionWait`): no context is parked.
        public var wait: TransactionWait?
        /// Where the service's counters are (`ServiceCounterTable`).
        var counters = 0
    }

    /// Entries under their transaction id (`SlotTable`): an answer finds its entry by
    /// indexing, and a late answer to a slot that has since been reused finds nothing.
    private var entries: SlotTable<Entry>
    /// Open transactions by the switch their event came from: what backpressure bounds per
    /// switch (`Backpressure`). Changed in place, one look-up each way; a switch's entry stays
    /// at zero rather than being removed and made again for its next event (one small entry
    /// for each switch this unit has escalated events of).
    private var openBySwitch: [DatapathID: Int] = [:]

    public init(capacity: Int = 65_536) {
        self.entries = SlotTable(capacity: capacity)
    }

    public var capacity: Int { entries.capacity }
    public var count: Int { entries.count }

    /// The switch whose count changed last, with its count: a unit asks for the count of the
    /// switch whose message it has just sent up, once per message.
    private var lastCounted: (datapathID: DatapathID, open: Int)?

    /// Transactions still open for events that came from this switch.
    public func openCount(from datapathID: DatapathID) -> Int {
        if let lastCounted, lastCounted.datapathID == datapathID { return lastCounted.open }
        return openBySwitch[datapathID] ?? 0
    }

    private mutating func count(_ origin: EventOrigin, _ change: Int) {
        guard case .switchChannel(let dpid) = origin else { return }
        lastCounted = (dpid, Self.add(change, to: &openBySwitch[dpid, default: 0]))
    }

    private static func add(_ change: Int, to open: inout Int) -> Int {
        open += change
        return open
    }

    /// A fresh transaction id for an event from `origin`, or nil when the table is full.
    /// Never 0, and never one still in use.
    public mutating func issue(
        for origin: EventOrigin, originalXID: UInt32, sid: ServiceID = ServiceID(0), sentTo: UnitID = UnitID(0),
        switchXID: UInt32? = nil,
        context: UInt32? = nil, wait: TransactionWait? = nil, counters: Int = 0, now: NIODeadline
    ) -> UInt32? {
        let transaction = entries.insert(
            Entry(
                origin: origin, originalXID: originalXID, issued: now, sid: sid, sentTo: sentTo, switchXID: switchXID,
                context: context, wait: wait,
                counters: counters))
        if transaction != nil { count(origin, 1) }
        return transaction
    }

    /// Changes an open transaction in place; nil when there is none (the result of `change` otherwise).
    public mutating func update<Result>(_ transaction: UInt32, _ change: (inout Entry) -> Result) -> Result? {
        entries.update(transaction, change)
    }

    /// Where an answer with this transaction id goes; nil for an unknown or expired one. The
    /// entry stays until `complete`, because one event may be answered by several messages.
    public func resolve(_ transaction: UInt32) -> Entry? {
        entries[transaction]
    }

    /// Whether a transaction that is not open was issued here and has ended (answered, or
    /// timed out): an answer to it is late rather than unknown.
    public func hasEnded(_ transaction: UInt32) -> Bool { entries.hasEnded(transaction) }

    /// The transaction is over (its last answer arrived, or its context was resumed or dropped).
    @discardableResult
    public mutating func complete(_ transaction: UInt32) -> Entry? {
        guard let entry = entries.remove(transaction) else { return nil }
        count(entry.origin, -1)
        return entry
    }

    /// Takes out the transactions that wait (`TransactionWait`) past their deadline, in deadline order.
    public mutating func expireWaits(now: NIODeadline) -> [(transaction: UInt32, entry: Entry)] {
        var due = entries.removeAll { entry in entry.wait.map { $0.deadline <= now } ?? false }.map {
            (transaction: $0.id, entry: $0.value)
        }
        for (_, entry) in due { count(entry.origin, -1) }
        due.sort {
            ($0.entry.wait?.deadline ?? $0.entry.issued, $0.transaction) < (
                $1.entry.wait?.deadline ?? $1.entry.issued, $1.transaction
            )
        }
        return due
    }

    /// The transactions that wait (`TransactionWait`), in transaction order.
    public var waits: [(transaction: UInt32, entry: Entry)] {
        entries.stored.filter { $0.value.wait != nil }.map { (transaction: $0.id, entry: $0.value) }.sorted {
            $0.transaction < $1.transaction
        }
    }

    /// Forgets transactions older than `age`; returns them, oldest first.
    @discardableResult
    public mutating func expire(olderThan age: TimeAmount, now: NIODeadline) -> [(transaction: UInt32, entry: Entry)] {
        var old = entries.removeAll { now - $0.issued >= age }.map { (transaction: $0.id, entry: $0.value) }
        for (_, entry) in old { count(entry.origin, -1) }
        old.sort { ($0.entry.issued, $0.transaction) < ($1.entry.issued, $1.transaction) }
        return old
    }
}

/// A DIVERTed event that nothing at this unit goes on with (the unit only relays it, to one
/// service) waits in its transaction rather than in a parked context: the context would hold
/// nothing to resume, and parking it and taking it out again is a visible part of a relay's
/// work per event (docs/benchmarks.md, "Relays park no context"). It is bounded and counted
/// with the parked contexts, listed with them, and times out under the same policy.
public struct TransactionWait: Hashable, Sendable {
    public var category: EventCategory
    public var policy: TimeoutPolicy
    public var deadline: NIODeadline

    public init(category: EventCategory, policy: TimeoutPolicy, deadline: NIODeadline) {
        self.category = category
        self.policy = policy
        self.deadline = deadline
    }
}
