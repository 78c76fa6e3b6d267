import ConfigurationFiles
import ControlPlane
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OpenFlow
import UnitProtocol

extension RouteView: ResponseEncodable {}
extension UnitView: ResponseEncodable {}
extension StatusView: ResponseEncodable {}
extension FilterView: ResponseEncodable {}
extension PendingView: ResponseEncodable {}
extension TopologyView: ResponseEncodable {}
extension DispatchCountersView: ResponseEncodable {}
extension SwitchView: ResponseEncodable {}
extension FlowView: ResponseEncodable {}

/// The admin HTTP API (JSON, loopback by default): `GET /routes`, `/units`, `/status`,
/// `/filters`, `/pending`, `/counters`, `/hosts`, `/topology`, `/switches`, `/switches/{dpid}/flows`,
/// `/metrics` (Prometheus), and Floodlight's subset (`FloodlightRoutes`).
///
/// Every answer is built from a snapshot taken on the unit's event loop, so it never sees a
/// half-applied change. Only the copy is made on the loop: the router, the dispatcher and the
/// dialers' states are values with copy-on-write storage, so copying them costs the same
/// however many services there are. Sorting, building the view and encoding it happen in the
/// request's task, off the loop; building a view of thousands of services on the loop held
/// the switches and the unit channels' keepalives up for as long as it took.
enum AdminServer {
    static func application(
        settings: AdminSettings, tls: AdminTLSGate? = nil, neighbours: NIOLoopBound<NeighbourUnits>,
        core: NIOLoopBound<UnitCore>, identity: UnitIdentity, metrics: UnitMetricsExporter? = nil,
        group: any EventLoopGroup, logger: Logger, onRunning: @escaping @Sendable (SocketAddress?) -> Void
    ) -> some ApplicationProtocol {
        let router = Router(options: .autoGenerateHeadEndpoints)
        let methods = MethodNotAllowedMiddleware<BasicRequestContext>()
        router.add(middleware: methods)
        if let token = settings.token {
            router.add(middleware: BearerTokenGuard<BasicRequestContext>(token: token, logger: logger))
        }
        router.add(middleware: CrossSiteRequestGuard<BasicRequestContext>())
        router.get("routes") { _, _ -> [RouteView] in
            routeViews(try await routing(neighbours))
        }
        router.get("units") { _, _ -> [UnitView] in
            unitViews(try await routing(neighbours))
        }
        router.get("filters") { _, _ -> [FilterView] in
            DispatchViews.filters(try await dispatcher(core).dispatcher)
        }
        router.get("pending") { _, _ -> [PendingView] in
            let snapshot = try await dispatcher(core)
            return DispatchViews.pending(snapshot.dispatcher, now: snapshot.now)
        }
        router.get("counters") { _, _ -> DispatchCountersView in
            let (dispatcher, services) = try await core.eventLoop.submit {
                (core.value.dispatcher, core.value.serviceStatistics)
            }.get()
            return DispatchViews.counters(dispatcher, services: services)
        }
        router.get("hosts") { _, _ -> [HostView] in
            let (tracker, map, now) = try await core.eventLoop.submit {
                (core.value.hostTracker, core.value.servicesHostMap, NIODeadline.now())
            }.get()
            return HostView.rows(tracker: tracker, map: map, domain: identity.uid.rawValue, now: now)
        }
        router.get("switches") { _, _ -> [SwitchView] in
            SwitchView.rows(try await core.eventLoop.submit { core.value.switchRegistry }.get())
        }
        router.get("switches/:dpid/flows") { _, context -> [FlowView] in
            let raw = try context.parameters.require("dpid")
            let text = raw.removingPercentEncoding ?? raw
            guard let raw = UInt64(text, radix: 16) else {
                throw HTTPError(.badRequest, message: "not a datapath ID in hexadecimal: \(text)")
            }
            do {
                let entries = try await core.eventLoop.flatSubmit {
                    core.value.flowTable(of: DatapathID(rawValue: raw))
                }
                .get()
                return entries.map(FlowView.init)
            } catch let error as FlowTableError {
                if case .notConnected = error { throw HTTPError(.notFound, message: error.description) }
                throw HTTPError(.gatewayTimeout, message: error.description)
            }
        }
        router.get("topology") { _, _ -> TopologyView in
            let snapshot = try await core.eventLoop.submit { core.value.topologySnapshot }.get()
            return TopologyView(snapshot)
        }
        router.get("status") { _, _ -> StatusView in
            let snapshot = try await neighbours.eventLoop.submit {
                StatusSnapshot(
                    router: neighbours.value.routerSnapshot, switches: core.value.switchCount,
                    hosts: core.value.hostCount, links: core.value.linkCount, counters: core.value.counters)
            }.get()
            return statusView(snapshot, identity: identity)
        }
        FloodlightRoutes.add(to: router, core: core)
        WebPageRoutes.add(to: router, neighbours: neighbours, core: core, identity: identity)
        if let metrics {
            router.get("metrics") { _, _ -> Response in
                var snapshot = try await core.eventLoop.submit { core.value.metricsSnapshot }.get()
                let routing = try await routing(neighbours)
                snapshot.routes = routing.router.routes.count
                for unit in unitViews(routing) {
                    let state = unit.state.split(separator: ":").first.map(String.init) ?? unit.state
                    snapshot.unitChannels[state, default: 0] += 1
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.scrape(snapshot))))
            }
        }
        methods.record(router)
        let limits = AdminConnectionLimits(settings: settings)
        return Application(
            router: router,
            server: limits.server(logger: logger, tls: tls),
            configuration: .init(
                address: .hostname(settings.listen.host, port: settings.listen.port), serverName: "echelon",
                availableConnectionsDelegate: AdminConnectionCount(maximum: settings.maxConnections, logger: logger)),
            onServerRunning: { channel in onRunning(channel.localAddress) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    /// The routing side as it is now, copied on the unit's event loop.
    private static func routing(_ neighbours: NIOLoopBound<NeighbourUnits>) async throws -> RoutingSnapshot {
        try await neighbours.eventLoop.submit { RoutingSnapshot(neighbours.value) }.get()
    }

    /// The dispatcher as it is now, copied on the unit's event loop.
    private static func dispatcher(
        _ core: NIOLoopBound<UnitCore>
    ) async throws -> (dispatcher: EventDispatcher, now: NIODeadline) {
        try await core.eventLoop.submit { (core.value.dispatcher, NIODeadline.now()) }.get()
    }

    /// Established channels, then the configured neighbours that have none (with what their
    /// dialer is doing).
    static func unitViews(_ snapshot: RoutingSnapshot) -> [UnitView] {
        let established = snapshot.router.adjacencies
        var views = established.map {
            UnitView(
                uid: $0.identity.uid.rawValue, name: $0.identity.name, tier: $0.identity.tier,
                relation: $0.relation.rawValue, state: "established", address: nil)
        }
        let reachedNames = Set(established.map(\.identity.name))
        for (name, dialer) in snapshot.dialing.sorted(by: { $0.key < $1.key }) {
            if let uid = dialer.reached, established.contains(where: { $0.identity.uid == uid }) { continue }
            if reachedNames.contains(name) { continue }
            views.append(
                UnitView(
                    uid: dialer.reached?.rawValue, name: name, tier: nil, relation: dialer.relation.rawValue,
                    state: dialer.state, address: "\(dialer.address)"))
        }
        return views
    }

    static func routeViews(_ snapshot: RoutingSnapshot) -> [RouteView] {
        snapshot.router.routes.map { route in
            RouteView(
                sid: route.sid.rawValue, service: snapshot.router.definition(of: route)?.name,
                origin: route.origin.rawValue, nextHop: route.nextHop?.rawValue, hops: route.hops,
                relation: route.relation?.rawValue ?? "local",
                age: Double((snapshot.now - route.since).nanoseconds) / 1e9)
        }
    }

    static func statusView(_ snapshot: StatusSnapshot, identity: UnitIdentity) -> StatusView {
        StatusView(
            uid: identity.uid.rawValue, name: identity.name, tier: identity.tier, routes: snapshot.router.routes.count,
            units: snapshot.router.adjacencies.count, switches: snapshot.switches, hosts: snapshot.hosts,
            links: snapshot.links, probesRejected: snapshot.counters.probesRejected,
            domainEdgeProbes: snapshot.counters.domainEdgeProbes)
    }

    /// `host:port` of a bound address, for URLs and log lines.
    static func urlAuthority(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "?"
        return (host.contains(":") ? "[\(host)]" : host) + ":\(address.port ?? 0)"
    }
}

/// What `/routes` and `/units` are built from: copies of the unit's routing state.
struct RoutingSnapshot: Sendable {
    var router: ServiceRouter
    var dialing: [String: NeighbourUnits.DialerState]
    /// When the copy was taken, for the routes' ages.
    var now: NIODeadline
}

extension RoutingSnapshot {
    /// Copies taken now; on the unit's event loop.
    init(_ neighbours: NeighbourUnits) {
        self.init(router: neighbours.routerSnapshot, dialing: neighbours.dialing, now: .now())
    }
}

/// What `/status` is built from.
struct StatusSnapshot: Sendable {
    var router: ServiceRouter
    var switches: Int
    var hosts: Int
    var links = 0
    var counters = UnitCounters()
}
