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
    }

    public let capacity: Int
    private var entries: [UInt32: Entry] = [:]
    private var lastIssued: UInt32 = 0

    public init(capacity: Int = 65_536) {
        precondition(capacity > 0 && capacity < Int(UInt32.max), "capacity out of range")
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    /// A fresh transaction id for an event from `origin`, or nil when the table is full.
    /// Never 0, and never one still in use, however the counter wraps.
    public mutating func issue(
        for origin: EventOrigin, originalXID: UInt32, sid: ServiceID = ServiceID(0), sentTo: UnitID = UnitID(0), switchXID: UInt32? = nil,
        now: NIODeadline
    ) -> UInt32? {
        guard entries.count < capacity else { return nil }
        repeat { lastIssued &+= 1 } while lastIssued == 0 || entries[lastIssued] != nil
        entries[lastIssued] = Entry(origin: origin, originalXID: originalXID, issued: now, sid: sid, sentTo: sentTo, switchXID: switchXID)
        return lastIssued
    }

    /// Changes an open transaction in place; nil when there is none (the result of `change` otherwise).
    public mutating func update<Result>(_ transaction: UInt32, _ change: (inout Entry) -> Result) -> Result? {
        guard let index = entries.index(forKey: transaction) else { return nil }
        return change(&entries.values[index])
    }

    /// Where an answer with this transaction id goes; nil for an unknown or expired one. The
    /// entry stays until `complete`, because one event may be answered by several messages.
    public func resolve(_ transaction: UInt32) -> Entry? { entries[transaction] }

    /// The transaction is over (its last answer arrived, or its context was resumed or dropped).
    @discardableResult
    public mutating func complete(_ transaction: UInt32) -> Entry? { entries.removeValue(forKey: transaction) }

    /// Forgets transactions older than `age`; returns them, oldest first.
    @discardableResult
    public mutating func expire(olderThan age: TimeAmount, now: NIODeadline) -> [(transaction: UInt32, entry: Entry)] {
        let old = entries.filter { now - $0.value.issued >= age }.sorted { ($0.value.issued, $0.key) < ($1.value.issued, $1.key) }
        for (transaction, _) in old { entries[transaction] = nil }
        return old.map { ($0.key, $0.value) }
    }
}
