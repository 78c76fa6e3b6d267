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
    }

    public let capacity: Int
    public private(set) var counters = Counters()
    private var parked: [UInt32: Parked] = [:]

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    public var count: Int { parked.count }

    /// Parks a context under its transaction; false (and counted) when full.
    public mutating func park(_ context: Context, transaction: UInt32, sid: ServiceID, policy: TimeoutPolicy, timeout: TimeAmount, now: NIODeadline) -> Bool {
        guard parked.count < capacity else {
            counters.refusedFull += 1
            return false
        }
        parked[transaction] = Parked(context: context, sid: sid, policy: policy, deadline: now + timeout)
        counters.parked += 1
        return true
    }

    /// The context waiting for this transaction, taken out; nil if none waits (never parked,
    /// already resumed, or timed out).
    public mutating func resume(_ transaction: UInt32) -> Parked? {
        guard let context = parked.removeValue(forKey: transaction) else { return nil }
        counters.resumed += 1
        return context
    }

    /// Changes a waiting context in place (an answer arrived, but not the last one it waits for).
    @discardableResult
    public mutating func update(_ transaction: UInt32, _ change: (inout Context, TimeoutPolicy) -> Void) -> Bool {
        guard let index = parked.index(forKey: transaction) else { return false }
        // Changed in place as a whole: reading the policy on its own would copy the entry out.
        Self.change(&parked.values[index], change)
        return true
    }

    private static func change(_ entry: inout Parked, _ change: (inout Context, TimeoutPolicy) -> Void) {
        let policy = entry.policy
        change(&entry.context, policy)
    }

    /// Releases the contexts whose deadline has passed, in deadline order, each with its policy.
    public mutating func expire(now: NIODeadline) -> [(transaction: UInt32, parked: Parked)] {
        let due = parked.filter { $0.value.deadline <= now }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
        for (transaction, context) in due {
            parked[transaction] = nil
            switch context.policy {
            case .failOpen: counters.timedOutOpen += 1
            case .failClosed: counters.timedOutClosed += 1
            }
        }
        return due.map { ($0.key, $0.value) }
    }

    /// What waits, for `echelon pending`.
    public var waiting: [(transaction: UInt32, sid: ServiceID, deadline: NIODeadline)] {
        parked.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sid, $0.value.deadline) }
    }

    /// Everything that waits, in transaction order.
    public var entries: [(transaction: UInt32, parked: Parked)] {
        parked.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
