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
    public mutating func issue(for origin: EventOrigin, originalXID: UInt32, now: NIODeadline) -> UInt32? {
        guard entries.count < capacity else { return nil }
        repeat { lastIssued &+= 1 } while lastIssued == 0 || entries[lastIssued] != nil
        entries[lastIssued] = Entry(origin: origin, originalXID: originalXID, issued: now)
        return lastIssued
    }

    /// Where an answer with this transaction id goes; nil for an unknown or expired one. The
    /// entry stays until `complete`, because one event may be answered by several messages.
    public func resolve(_ transaction: UInt32) -> Entry? { entries[transaction] }

    /// The transaction is over (its last answer arrived, or its context was resumed or dropped).
    @discardableResult
    public mutating func complete(_ transaction: UInt32) -> Entry? { entries.removeValue(forKey: transaction) }

    /// Forgets transactions older than `age`; returns them, oldest first.
    public mutating func expire(olderThan age: TimeAmount, now: NIODeadline) -> [(transaction: UInt32, entry: Entry)] {
        let old = entries.filter { now - $0.value.issued >= age }.sorted { ($0.value.issued, $0.key) < ($1.value.issued, $1.key) }
        for (transaction, _) in old { entries[transaction] = nil }
        return old.map { ($0.key, $0.value) }
    }
}
