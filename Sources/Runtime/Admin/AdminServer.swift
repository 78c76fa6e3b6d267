import ControlPlane
import Foundation
import Hummingbird
import Logging
import NIOCore
import UnitProtocol

extension RouteView: ResponseEncodable {}
extension UnitView: ResponseEncodable {}
extension StatusView: ResponseEncodable {}
extension FilterView: ResponseEncodable {}
extension PendingView: ResponseEncodable {}
extension DispatchCountersView: ResponseEncodable {}

/// The admin HTTP API (JSON, loopback by default): `GET /routes`, `/units`, `/status`,
/// `/filters`, `/pending`, `/counters`.
/// Every answer is a snapshot taken on the unit's event loop, so it never sees a half-applied
/// change.
enum AdminServer {
    static func application(
        address: SocketAddressSpec, neighbours: NIOLoopBound<NeighbourUnits>, core: NIOLoopBound<UnitCore>,
        identity: UnitIdentity,
        group: any EventLoopGroup, logger: Logger, onRunning: @escaping @Sendable (SocketAddress?) -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("routes") { _, _ -> [RouteView] in
            try await neighbours.eventLoop.submit { routeViews(neighbours.value, now: .now()) }.get()
        }
        router.get("units") { _, _ -> [UnitView] in
            try await neighbours.eventLoop.submit { unitViews(neighbours.value) }.get()
        }
        router.get("filters") { _, _ -> [FilterView] in
            try await core.eventLoop.submit { DispatchViews.filters(core.value.dispatcher) }.get()
        }
        router.get("pending") { _, _ -> [PendingView] in
            try await core.eventLoop.submit { DispatchViews.pending(core.value.dispatcher, now: .now()) }.get()
        }
        router.get("counters") { _, _ -> DispatchCountersView in
            try await core.eventLoop.submit { DispatchViews.counters(core.value.dispatcher) }.get()
        }
        router.get("status") { _, _ -> StatusView in
            try await neighbours.eventLoop.submit {
                StatusView(
                    uid: identity.uid.rawValue, name: identity.name, tier: identity.tier,
                    routes: neighbours.value.routes.count,
                    units: neighbours.value.adjacencies.count, switches: core.value.switchCount,
                    hosts: core.value.hostCount)
            }.get()
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "echelon"),
            onServerRunning: { channel in onRunning(channel.localAddress) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    /// Established channels, then the configured neighbours that have none (with what their
    /// dialer is doing).
    static func unitViews(_ neighbours: NeighbourUnits) -> [UnitView] {
        let established = neighbours.adjacencies
        var views = established.map {
            UnitView(
                uid: $0.identity.uid.rawValue, name: $0.identity.name, tier: $0.identity.tier,
                relation: $0.relation.rawValue, state: "established", address: nil)
        }
        let reachedNames = Set(established.map(\.identity.name))
        for (name, dialer) in neighbours.dialing.sorted(by: { $0.key < $1.key }) {
            if let uid = dialer.reached, established.contains(where: { $0.identity.uid == uid }) { continue }
            if reachedNames.contains(name) { continue }
            views.append(
                UnitView(
                    uid: dialer.reached?.rawValue, name: name, tier: nil, relation: dialer.relation.rawValue,
                    state: dialer.state, address: "\(dialer.address)"))
        }
        return views
    }

    static func routeViews(_ neighbours: NeighbourUnits, now: NIODeadline) -> [RouteView] {
        neighbours.routes.map { route in
            RouteView(
                sid: route.sid.rawValue, service: neighbours.definition(of: route)?.name, origin: route.origin.rawValue,
                nextHop: route.nextHop?.rawValue, hops: route.hops, relation: route.relation?.rawValue ?? "local",
                age: Double((now - route.since).nanoseconds) / 1e9)
        }
    }

    /// `host:port` of a bound address, for URLs and log lines.
    static func urlAuthority(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        return (host.contains(":") ? "[\(host)]" : host) + ":\(address.port ?? 0)"
    }
}
