import NIOCore
import UnitProtocol

/// A service above this unit (or across a peer link) that its events can be sent to: its
/// definition from the exports, and the neighbour its route currently goes through.
public struct RemoteService: Hashable, Sendable {
    public var definition: ExportedService
    public var nextHop: UnitID

    public init(definition: ExportedService, nextHop: UnitID) {
        self.definition = definition
        self.nextHop = nextHop
    }

    public var sid: ServiceID { definition.sid }
    public var action: ProcessChainAction { definition.action }
    public var priority: Int { Int(definition.priority) }

    /// The rules its filter is built from: its own, or, when it has none, one per subscribed category.
    var filterRules: [String] {
        if !definition.rules.isEmpty { return definition.rules }
        return definition.subscriptions.sorted { $0.index < $1.index }.map(\.rawValue)
    }
}

/// What the dispatcher needs of a remote service for every event, in plain values: copying
/// it touches no reference count (a definition's name, rules and subscriptions would).
public struct DispatchTarget: Hashable, Sendable {
    public var sid: ServiceID
    public var nextHop: UnitID
    public var action: ProcessChainAction
    public var priority: Int
    public var policy: TimeoutPolicy
    public var timeout: TimeAmount
    /// Accepted categories as `EventCategory.mask` bits (all when it subscribes to none): its
    /// subscriptions, when it lists any, restrict what its rules select.
    var categories: UInt16
    /// Where its counters are (`ServiceCounterTable`), given when it is installed.
    var counters: Int

    func accepts(_ category: EventCategory) -> Bool { categories & 1 << UInt16(category.index) != 0 }
}

extension RemoteService {
    /// What matching needs of it, counting into the counters at `counters`.
    func target(counters: Int) -> DispatchTarget {
        DispatchTarget(
            sid: sid, nextHop: nextHop, action: action, priority: priority, policy: definition.timeoutPolicy,
            timeout: .milliseconds(Int64(definition.timeoutMilliseconds)),
            categories: definition.subscriptions.isEmpty
                ? EventCategory.mask(of: Set(EventCategory.allCases))
                : EventCategory.mask(of: definition.subscriptions),
            counters: counters)
    }
}
