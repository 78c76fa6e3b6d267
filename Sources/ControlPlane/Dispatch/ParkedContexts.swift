import NIOCore
import UnitProtocol

/// Processing contexts of DIVERTed events, parked until their answer returns. Bounded in count
/// and age: a context that waits too long is released under its service's timeout policy
/// (fail-open resumes it locally, fail-closed drops it), and one that cannot be parked because
/// the table is full is refused under the same policy, so nothing waits for ever and nothing
/// is lost without a counter saying so.
public struct ParkedContexts<Context: Sendable>: Sendable {
    public struct Parked: Sendable {
        public var context: Context
        /// The transaction it was parked for (the first of those it waits for), for inspection.
        public var transaction: UInt32
        public var sid: ServiceID
        public var policy: TimeoutPolicy
        public var deadline: NIODeadline
    }

    public struct Counters: Hashable, Sendable, Codable {
        public var parked = 0
        public var resumed = 0
        public var timedOutOpen = 0
        public var timedOutClosed = 0
        public var refusedFull = 0

        public init() {}
    }

    public private(set) var counters = Counters()
    /// Under keys of their own (`SlotTable`), not their transactions': one event may wait for
    /// several, and the first of them can be over before the others answer.
    private var parked: SlotTable<Parked>

    public init(capacity: Int = 10_000) {
        self.parked = SlotTable(capacity: capacity)
    }

    /// DIVERTs that wait in their transactions (`TransactionWait`): counted here as parked
    /// contexts, against the same bound and in the same counters, though none is stored.
    public private(set) var waitsInTransactions = 0

    public var capacity: Int { parked.capacity }
    public var count: Int { parked.count + waitsInTransactions }
    public var isFull: Bool { count >= capacity }

    /// Parks a context waiting for `transaction` (and maybe others); returns the key it is
    /// found by, or nil (and counted) when full.
    public mutating func park(
        _ context: consuming Context, transaction: UInt32, sid: ServiceID, policy: TimeoutPolicy, timeout: TimeAmount,
        now: NIODeadline
    ) -> UInt32? {
        guard !isFull,
            let key = parked.insert(
                Parked(context: context, transaction: transaction, sid: sid, policy: policy, deadline: now + timeout))
        else {
            counters.refusedFull += 1
            return nil
        }
        counters.parked += 1
        return key
    }

    /// The context parked under this key, taken out; nil if none is (already resumed, or timed out).
    public mutating func resume(_ key: UInt32) -> Parked? {
        guard let context = parked.remove(key) else { return nil }
        counters.resumed += 1
        return context
    }

    /// The key the next context parked is found by; nil when the table is full.
    public var nextKey: UInt32? { isFull ? nil : parked.nextID }

    /// A DIVERT waits in its transaction: counted as parked; false (and counted) when full.
    public mutating func admitWait() -> Bool {
        guard !isFull else {
            counters.refusedFull += 1
            return false
        }
        waitsInTransactions += 1
        counters.parked += 1
        return true
    }

    /// A transaction's wait ended: its last answer came (nil), or its deadline passed, and its policy applies.
    public mutating func waitEnded(timedOutUnder policy: TimeoutPolicy?) {
        waitsInTransactions -= 1
        switch policy {
        case nil: counters.resumed += 1
        case .failOpen: counters.timedOutOpen += 1
        case .failClosed: counters.timedOutClosed += 1
        }
    }

    /// An answer arrived for the context under `key`: `change` adds it, and says whether the
    /// context waits for nothing more; then it is taken out and returned, as `resume` does.
    /// Nil when it still waits, or none is parked under the key.
    public mutating func answer(_ key: UInt32, _ change: (inout Context, TimeoutPolicy) -> Bool) -> Parked? {
        let done = parked.update(
            key,
            removingWhen: { entry in
                let policy = entry.policy
                return change(&entry.context, policy)
            })
        guard let done else { return nil }
        counters.resumed += 1
        return done
    }

    /// Releases the contexts whose deadline has passed, in deadline order, each with its policy.
    public mutating func expire(now: NIODeadline) -> [(key: UInt32, parked: Parked)] {
        let due = parked.removeAll { $0.deadline <= now }.map { (key: $0.id, parked: $0.value) }
        for (_, context) in due {
            switch context.policy {
            case .failOpen: counters.timedOutOpen += 1
            case .failClosed: counters.timedOutClosed += 1
            }
        }
        return due.sorted { ($0.parked.deadline, $0.parked.transaction) < ($1.parked.deadline, $1.parked.transaction) }
    }

    /// What waits, for `echelon pending`, in transaction order.
    public var waiting: [(transaction: UInt32, sid: ServiceID, deadline: NIODeadline)] {
        entries.map { ($0.transaction, $0.sid, $0.deadline) }
    }

    /// Everything that waits, in transaction order.
    public var entries: [Parked] {
        parked.stored.map(\.value).sorted { $0.transaction < $1.transaction }
    }
}
