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
    /// Entries by slot. A transaction id is its slot's index in the low bits and the slot's
    /// generation above them, so finding an entry is an array index, not a hash, and an id
    /// whose slot has since been reused (a late answer) finds a different generation: nothing.
    private var slots: [Slot] = []
    /// Slots that are free again, most recently freed last (still warm in the cache).
    private var free: [Int] = []
    private let indexBits: UInt32
    public private(set) var count = 0

    private struct Slot: Sendable {
        /// The id the slot was last issued under.
        var transaction: UInt32
        var isOpen: Bool
        /// The open transaction's entry; a closed slot keeps its last one (plain values, no references).
        var entry: Entry
    }

    public init(capacity: Int = 65_536) {
        precondition(capacity > 0 && capacity <= 1 << 24, "capacity out of range")
        self.capacity = capacity
        // Enough low bits for every slot index; at least 8 bits are left for generations.
        self.indexBits = UInt32(Int.bitWidth - (capacity - 1).leadingZeroBitCount)
    }

    private var indexMask: UInt32 { indexBits == 0 ? 0 : (UInt32.max >> (32 - indexBits)) }

    private func slotIndex(of transaction: UInt32) -> Int? {
        let index = Int(transaction & indexMask)
        guard index < slots.count, slots[index].transaction == transaction, slots[index].isOpen else { return nil }
        return index
    }

    /// A fresh transaction id for an event from `origin`, or nil when the table is full.
    /// Never 0, and never one still in use: a reused slot's id carries the next generation.
    public mutating func issue(
        for origin: EventOrigin, originalXID: UInt32, sid: ServiceID = ServiceID(0), sentTo: UnitID = UnitID(0), switchXID: UInt32? = nil,
        now: NIODeadline
    ) -> UInt32? {
        let entry = Entry(origin: origin, originalXID: originalXID, issued: now, sid: sid, sentTo: sentTo, switchXID: switchXID)
        let generationMask = UInt32.max >> indexBits
        if let index = free.popLast() {
            var generation = ((slots[index].transaction >> indexBits) &+ 1) & generationMask
            if generation == 0 { generation = 1 }
            let transaction = (generation << indexBits) | UInt32(index)
            slots[index] = Slot(transaction: transaction, isOpen: true, entry: entry)
            count += 1
            return transaction
        }
        guard slots.count < capacity else { return nil }
        let transaction = (1 << indexBits) | UInt32(slots.count)
        slots.append(Slot(transaction: transaction, isOpen: true, entry: entry))
        count += 1
        return transaction
    }

    /// Changes an open transaction in place; nil when there is none (the result of `change` otherwise).
    public mutating func update<Result>(_ transaction: UInt32, _ change: (inout Entry) -> Result) -> Result? {
        guard let index = slotIndex(of: transaction) else { return nil }
        return change(&slots[index].entry)
    }

    /// Where an answer with this transaction id goes; nil for an unknown or expired one. The
    /// entry stays until `complete`, because one event may be answered by several messages.
    public func resolve(_ transaction: UInt32) -> Entry? {
        slotIndex(of: transaction).map { slots[$0].entry }
    }

    /// The transaction is over (its last answer arrived, or its context was resumed or dropped).
    @discardableResult
    public mutating func complete(_ transaction: UInt32) -> Entry? {
        guard let index = slotIndex(of: transaction) else { return nil }
        slots[index].isOpen = false
        free.append(index)
        count -= 1
        return slots[index].entry
    }

    /// Forgets transactions older than `age`; returns them, oldest first.
    @discardableResult
    public mutating func expire(olderThan age: TimeAmount, now: NIODeadline) -> [(transaction: UInt32, entry: Entry)] {
        var old: [(transaction: UInt32, entry: Entry)] = []
        for slot in slots where slot.isOpen && now - slot.entry.issued >= age { old.append((slot.transaction, slot.entry)) }
        old.sort { ($0.entry.issued, $0.transaction) < ($1.entry.issued, $1.transaction) }
        for (transaction, _) in old { complete(transaction) }
        return old
    }
}
