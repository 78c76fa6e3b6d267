import ConfigurationFiles
import ControlPlane
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

@testable import Runtime

/// The admin views are built from value snapshots, off the unit's event loop: what the loop
/// hands over is a copy, and the unit may change under the request while its view is built.
@Suite struct AdminViewTests {
    static let local = UnitIdentity(uid: UnitID(11), tier: 1, name: "tier1")
    static let above = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2")

    static func routerWithRouteAbove(now: NIODeadline) -> ServiceRouter {
        var router = ServiceRouter(
            identity: local, hosted: [ExportedService(sid: ServiceID(110), origin: local.uid, name: "forwarding")],
            now: now)
        _ = router.established(
            UnitChannelID(rawValue: 1), remote: above, relation: .upstream, dialer: local.uid,
            exports: [ExportedService(sid: ServiceID(200), origin: above.uid, name: "audit")], now: now)
        _ = router.received(
            .routeAdvertisement(
                RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(200), origin: above.uid, hops: 0)])),
            from: above.uid, on: UnitChannelID(rawValue: 1), now: now)
        return router
    }

    @Test func aRoutingSnapshotIsUntouchedByLaterChanges() {
        let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var router = Self.routerWithRouteAbove(now: now)
        let snapshot = RoutingSnapshot(
            router: router,
            dialing: [
                "tier2": .init(
                    address: SocketAddressSpec(host: "127.0.0.1", port: 6644), relation: .upstream,
                    state: "connected", reached: Self.above.uid)
            ], now: now + .milliseconds(2000))
        // The unit goes on: the channel above closes after the copy was taken.
        _ = router.channelDown(Self.above.uid, on: UnitChannelID(rawValue: 1), now: now + .milliseconds(1000))

        let routes = AdminServer.routeViews(snapshot)
        #expect(routes.map(\.sid) == [110, 200])
        #expect(routes.map(\.service) == ["forwarding", "audit"])
        #expect(routes.last?.relation == "upstream")
        #expect(routes.first?.age == 2)
        #expect(AdminServer.unitViews(snapshot).map(\.state) == ["established"])

        let now2 = RoutingSnapshot(router: router, dialing: snapshot.dialing, now: now + .milliseconds(2000))
        #expect(AdminServer.routeViews(now2).map(\.sid) == [110])
        #expect(AdminServer.unitViews(now2).map(\.state) == ["connected"])
    }

    @Test func statusCountsWhatTheSnapshotHolds() {
        let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let status = AdminServer.statusView(
            StatusSnapshot(router: Self.routerWithRouteAbove(now: now), switches: 3, hosts: 7), identity: Self.local)
        #expect(
            status == StatusView(uid: 11, name: "tier1", tier: 1, routes: 2, units: 1, switches: 3, hosts: 7))
    }

    @Test func dispatchViewsReadACopyOfTheDispatcher() {
        var dispatcher = EventDispatcher(domain: Self.local.uid)
        let audit = RemoteService(
            definition: ExportedService(
                sid: ServiceID(200), origin: Self.above.uid, name: "audit", subscriptions: [.packetIn]),
            nextHop: Self.above.uid)
        _ = dispatcher.install([audit])
        let snapshot = dispatcher
        _ = dispatcher.install([])

        #expect(DispatchViews.filters(snapshot).map(\.service) == ["audit"])
        #expect(DispatchViews.filters(dispatcher).isEmpty)
    }
    /// `GET /topology`: switches, each link once with whether floods take it, hosts with
    /// their ports, and domain edges, all from copies of the unit's state.
    @Test func topologyViewShowsTheGraphHostsAndEdges() {
        var graph = TopologyGraph()
        for dpid: UInt64 in [1, 2, 3] { graph.addSwitch(DatapathID(dpid)) }
        func port(_ dpid: UInt64, _ number: UInt16) -> HostLocation {
            HostLocation(datapathID: DatapathID(dpid), port: PortNumber(number))
        }
        // A triangle: one of its three links closes the loop.
        _ = graph.addLink(TopologyLink(port(1, 1), port(2, 1)))
        _ = graph.addLink(TopologyLink(port(2, 2), port(3, 1)))
        _ = graph.addLink(TopologyLink(port(1, 2), port(3, 2)))
        var hosts = HostTracker()
        _ = hosts.observe(
            Match(inPort: PortNumber(9), dlSrc: MACAddress(0, 0, 0, 0, 0, 1), dlDst: .broadcast), on: DatapathID(1),
            now: .uptimeNanoseconds(1))
        let view = TopologyView(
            TopologySnapshot(
                topology: graph, hosts: hosts.hosts,
                domainEdges: [
                    port(3, 3): DomainEdge(unit: UnitID(12), far: port(0x99, 4), lastSeen: .uptimeNanoseconds(1))
                ]))
        #expect(view.switches == ["0000000000000001", "0000000000000002", "0000000000000003"])
        #expect(view.links.map(\.a) == ["0000000000000001:1", "0000000000000001:2", "0000000000000002:2"])
        #expect(view.links.filter { !$0.tree }.count == 1, "the triangle's third link would close the loop")
        #expect(view.hosts.map(\.port) == ["0000000000000001:9"])
        #expect(view.domainEdges.map(\.unit) == [12])
    }
}
