import ControlPlane
import Foundation
import NIOCore
import UnitProtocol

/// One row of `echelon filters`: a service above whose filter this unit matches its events
/// against, where its events go now, and what has happened to them.
public struct FilterView: Codable, Hashable, Sendable {
    public var sid: UInt32
    public var service: String
    public var nextHop: UInt32
    /// Its route is gone and it fails closed: the events it selects are dropped until it returns.
    public var unreachable: Bool?
    public var action: String
    public var priority: Int32
    public var timeoutPolicy: String
    public var timeoutMilliseconds: UInt32
    public var subscriptions: [String]
    public var rules: [String]
    public var counters: ServiceDispatchCounters
}

/// One row of `echelon pending`: a DIVERTed event waiting for its answers.
public struct PendingView: Codable, Hashable, Sendable {
    /// The transaction its context is kept under (the first one it waits for).
    public var transaction: UInt32
    public var sids: [UInt32]
    public var event: String
    public var dpid: String
    public var waitingFor: Int
    public var policy: String
    /// Seconds until its policy applies.
    public var expiresIn: Double
}

/// `echelon counters`: the dispatcher's counters, per service and in total.
public struct DispatchCountersView: Codable, Hashable, Sendable {
    public struct Service: Codable, Hashable, Sendable {
        public var sid: UInt32
        public var counters: ServiceDispatchCounters
    }

    public var services: [Service]
    public var totals: DispatchCounters
    public var parked: ParkedContexts<ParkedEvent>.Counters
    public var waiting: Int
    public var openTransactions: Int
    public var switchesBelow: Int
    public var bypassedDevices: Int
    /// The figures of this unit's own services that keep any (the authenticator's decisions).
    public var localServices: [LocalService]?

    public struct LocalService: Codable, Hashable, Sendable {
        public var name: String
        public var statistics: [String: Int]
    }
}

enum DispatchViews {
    static func filters(_ dispatcher: EventDispatcher) -> [FilterView] {
        dispatcher.remote.values.sorted { $0.sid < $1.sid }.map { service in
            let definition = service.definition
            return FilterView(
                sid: service.sid.rawValue, service: definition.name, nextHop: service.nextHop.rawValue,
                unreachable: dispatcher.unreachable.contains(service.sid),
                action: definition.action.description,
                priority: definition.priority, timeoutPolicy: definition.timeoutPolicy.description,
                timeoutMilliseconds: definition.timeoutMilliseconds,
                subscriptions: definition.subscriptions.sorted { $0.index < $1.index }.map(\.rawValue),
                rules: dispatcher.filters.rules[service.sid] ?? [],
                counters: dispatcher.serviceCounters[service.sid] ?? ServiceDispatchCounters())
        }
    }

    static func pending(_ dispatcher: EventDispatcher, now: NIODeadline) -> [PendingView] {
        dispatcher.waiting.map { waiting in
            PendingView(
                transaction: waiting.transaction, sids: waiting.sids.map(\.rawValue), event: waiting.category.rawValue,
                dpid: waiting.datapathID.description, waitingFor: waiting.awaiting, policy: waiting.policy.description,
                expiresIn: Double((waiting.deadline - now).nanoseconds) / 1e9)
        }
    }

    static func counters(
        _ dispatcher: EventDispatcher, services: [(name: String, statistics: [String: Int])] = []
    ) -> DispatchCountersView {
        DispatchCountersView(
            services: dispatcher.serviceCounters.keys.sorted().map {
                DispatchCountersView.Service(
                    sid: $0.rawValue, counters: dispatcher.serviceCounters[$0] ?? ServiceDispatchCounters())
            },
            totals: dispatcher.counters, parked: dispatcher.parked.counters, waiting: dispatcher.parked.count,
            openTransactions: dispatcher.openTransactions, switchesBelow: dispatcher.switchesBelow.count,
            bypassedDevices: dispatcher.bypass.count,
            localServices: services.map { DispatchCountersView.LocalService(name: $0.name, statistics: $0.statistics) })
    }
}
