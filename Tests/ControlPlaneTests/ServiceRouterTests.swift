import ControlPlane
import NIOCore
import Testing
import UnitProtocol

/// The routing rules of one unit over its channels, each driven by hand with plain values: a
/// tier-2 unit (u20) hosting service 1, with a unit above (u30), a peer (u21) and a unit
/// below (u10) as each test needs them.
@Suite struct ServiceRouterTests {
    static let now = NIODeadline.uptimeNanoseconds(5_000_000_000)
    static let local = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2")
    static let above = UnitIdentity(uid: UnitID(30), tier: 3, name: "tier3")
    static let peer = UnitIdentity(uid: UnitID(21), tier: 2, name: "tier2-b")
    static let below = UnitIdentity(uid: UnitID(10), tier: 1, name: "tier1")

    static func service(_ sid: UInt32, at origin: UnitID, name: String? = nil) -> ExportedService {
        ExportedService(sid: ServiceID(sid), origin: origin, name: name ?? "svc-\(sid)", subscriptions: [.packetIn])
    }

    static let hosted = service(1, at: UnitID(20))
    static let fromAbove = service(300, at: UnitID(30))

    static func router() -> ServiceRouter {
        ServiceRouter(identity: local, hosted: [hosted], now: now)
    }

    static func advertisement(_ sid: UInt32, origin: UnitID, hops: UInt8 = 0) -> UnitMessage {
        .routeAdvertisement(RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(sid), origin: origin, hops: hops)]))
    }

    /// The router with u30 above it on channel 1, exporting service 300 and advertising its route.
    static func routerWithServiceAbove() -> ServiceRouter {
        var router = router()
        _ = router.established(
            1, remote: above, relation: .upstream, dialer: UnitID(20), exports: [fromAbove], now: now)
        _ = router.received(advertisement(300, origin: UnitID(30)), from: UnitID(30), on: 1, now: now)
        return router
    }

    static func sends(_ actions: [ServiceRouterAction]) -> [(UnitMessage, UnitID)] {
        actions.compactMap { if case .send(let message, let unit) = $0 { (message, unit) } else { nil } }
    }

    static func servicesAbove(_ actions: [ServiceRouterAction]) -> [RemoteService]? {
        actions.lazy.compactMap { if case .servicesAboveChanged(let services) = $0 { services } else { nil } }.last
    }

    // MARK: One channel per neighbour

    @Test func aChannelDialedByALowerUIDReplacesTheOther() {
        var router = Self.router()
        // u21 dialed us (channel 1), then we dialed u21 (channel 2): u20 < u21, ours wins.
        _ = router.established(1, remote: Self.peer, relation: .peer, dialer: UnitID(21), exports: [], now: Self.now)
        let actions = router.established(
            2, remote: Self.peer, relation: .peer, dialer: UnitID(20), exports: [], now: Self.now)
        #expect(actions.prefix(2) == [.closeDuplicate(1), .bind(UnitID(21), 2)])
        #expect(router.neighbour(UnitID(21))?.channel == 2)
        #expect(router.channelDown(UnitID(21), on: 1, now: Self.now).isEmpty, "the loser's end withdraws nothing")
        #expect(router.neighbour(UnitID(21))?.channel == 2)
    }

    @Test func aChannelDialedByAHigherUIDIsClosedAndChangesNothing() {
        var router = Self.router()
        _ = router.established(1, remote: Self.peer, relation: .peer, dialer: UnitID(20), exports: [], now: Self.now)
        let actions = router.established(
            2, remote: Self.peer, relation: .peer, dialer: UnitID(21), exports: [], now: Self.now)
        #expect(actions == [.closeDuplicate(2)])
        #expect(router.neighbour(UnitID(21))?.channel == 1)
    }

    @Test func onlyTheBoundChannelCarriesTheNeighboursMessages() {
        var router = Self.router()
        _ = router.established(
            1, remote: Self.above, relation: .upstream, dialer: UnitID(20), exports: [Self.fromAbove], now: Self.now)
        let stray = router.received(Self.advertisement(300, origin: UnitID(30)), from: UnitID(30), on: 7, now: Self.now)
        #expect(stray.isEmpty)
        #expect(router.routes.map(\.sid) == [ServiceID(1)])
    }

    @Test func aNeighbourClaimingOurUIDIsRefused() {
        var router = Self.router()
        let impostor = UnitIdentity(uid: UnitID(20), tier: 3, name: "impostor")
        let actions = router.established(
            4, remote: impostor, relation: .upstream, dialer: UnitID(20), exports: [], now: Self.now)
        #expect(actions.first == .bind(UnitID(20), 4))
        #expect(actions.suffix(2).first == .unbind(UnitID(20)))
        guard case .refuse(4, let reason) = actions.last else {
            Issue.record("not refused: \(actions)")
            return
        }
        #expect(reason.contains("claims our own UID"))
        #expect(router.adjacencies.isEmpty)
    }

    // MARK: Events go up or across, never down

    @Test func eventsFromAboveAreRefusedAndEverythingElseHasItsPlace() {
        let unit = UnitID(30)
        #expect(
            ServiceRouter.destination(of: .event, from: unit, relation: .upstream)
                == .refused(.eventFromAbove(from: 30)))
        #expect(ServiceRouter.destination(of: .event, from: unit, relation: .downstream) == .dispatcher)
        #expect(ServiceRouter.destination(of: .event, from: unit, relation: .peer) == .dispatcher)
        for relation in ChannelRelation.allCases {
            #expect(ServiceRouter.destination(of: .eventReturn, from: unit, relation: relation) == .dispatcher)
            for type in [UnitMessageType.routeAdvertisement, .routeWithdrawal, .exportsUpdate] {
                #expect(ServiceRouter.destination(of: type, from: unit, relation: relation) == .router)
            }
        }
    }

    @Test func aDownstreamUnitsExportsAreIgnored() {
        var router = Self.router()
        let offered = Self.service(500, at: UnitID(10))
        _ = router.established(
            1, remote: Self.below, relation: .downstream, dialer: UnitID(10), exports: [offered], now: Self.now)
        let update = router.received(
            .exportsUpdate(Exports(unit: Self.below, services: [offered])), from: UnitID(10), on: 1, now: Self.now)
        #expect(update.isEmpty)
        #expect(router.servicesAbove.isEmpty)
    }

    @Test func aDownstreamUnitAdvertisingRoutesIsRefusedAndDropped() {
        var router = Self.router()
        _ = router.established(
            1, remote: Self.below, relation: .downstream, dialer: UnitID(10), exports: [], now: Self.now)
        let actions = router.received(
            Self.advertisement(500, origin: UnitID(10)), from: UnitID(10), on: 1, now: Self.now)
        #expect(actions.first == .unbind(UnitID(10)))
        #expect(actions.contains(.downstreamGone(UnitID(10))))
        guard case .refuse(1, let reason) = actions.last else {
            Issue.record("not refused: \(actions)")
            return
        }
        #expect(reason.contains("lower tiers do not serve higher ones"))
        #expect(router.adjacencies.isEmpty)
        #expect(router.channelDown(UnitID(10), on: 1, now: Self.now).isEmpty, "already gone")
    }

    @Test func aUnitBelowThatLeavesTakesItsSwitchesWithIt() {
        var router = Self.router()
        _ = router.established(
            1, remote: Self.below, relation: .downstream, dialer: UnitID(10), exports: [], now: Self.now)
        #expect(
            router.channelDown(UnitID(10), on: 1, now: Self.now) == [.unbind(UnitID(10)), .downstreamGone(UnitID(10))])
    }

    // MARK: Definitions travel with their routes

    @Test func aServiceAboveIsKnownOnceItsRouteAndDefinitionAreIn() {
        var router = Self.router()
        // The definition alone (the handshake's exports): no route yet, nothing above.
        _ = router.established(
            1, remote: Self.above, relation: .upstream, dialer: UnitID(20), exports: [Self.fromAbove], now: Self.now)
        #expect(router.servicesAbove.isEmpty)
        // The route: now the dispatcher hears of it, with u30 as next hop.
        let actions = router.received(
            Self.advertisement(300, origin: UnitID(30)), from: UnitID(30), on: 1, now: Self.now)
        #expect(Self.servicesAbove(actions) == [RemoteService(definition: Self.fromAbove, nextHop: UnitID(30))])
        // A route with no definition is not a service the dispatcher can use.
        let bare = router.received(Self.advertisement(301, origin: UnitID(30)), from: UnitID(30), on: 1, now: Self.now)
        #expect(Self.servicesAbove(bare)?.map(\.sid) == [ServiceID(300)])
        // Its definition arrives in an update: now it is.
        let late = Self.service(301, at: UnitID(30))
        let update = router.received(
            .exportsUpdate(Exports(unit: Self.above, services: [late])), from: UnitID(30), on: 1, now: Self.now)
        #expect(Self.servicesAbove(update)?.map(\.sid) == [ServiceID(300), ServiceID(301)])
        #expect(router.definition(of: router.routes[2]) == late)
    }

    @Test func anUpdatedDefinitionReplacesTheOldOne() {
        var router = Self.routerWithServiceAbove()
        let renamed = Self.service(300, at: UnitID(30), name: "renamed")
        let actions = router.received(
            .exportsUpdate(Exports(unit: Self.above, services: [renamed])), from: UnitID(30), on: 1, now: Self.now)
        #expect(Self.servicesAbove(actions)?.map(\.definition.name) == ["renamed"])
    }

    @Test func aNeighboursDefinitionsGoWithItsChannel() {
        var router = Self.routerWithServiceAbove()
        let actions = router.channelDown(UnitID(30), on: 1, now: Self.now)
        #expect(actions.first == .unbind(UnitID(30)))
        #expect(actions.contains(.routeChanged(ServiceID(300), nil)))
        #expect(Self.servicesAbove(actions) == [])
        #expect(router.routes.map(\.sid) == [ServiceID(1)])
    }

    // MARK: What each neighbour sees

    @Test func eachNeighbourSeesTheDefinitionsOfTheRoutesItMaySee() {
        var router = Self.routerWithServiceAbove()
        _ = router.established(
            1, remote: Self.below, relation: .downstream, dialer: UnitID(10), exports: [], now: Self.now)
        #expect(router.exports(to: UnitID(10), relation: .downstream).map(\.sid) == [ServiceID(1), ServiceID(300)])
        #expect(router.exports(to: UnitID(30), relation: .upstream).isEmpty, "nothing goes up")
        #expect(
            router.exports(to: UnitID(21), relation: .peer).map(\.sid) == [ServiceID(300)],
            "a peer hears what came from above, not our own services")
    }

    @Test func aNeighbourHearsADefinitionBeforeTheRouteThatNamesIt() {
        var router = Self.router()
        _ = router.established(
            2, remote: Self.below, relation: .downstream, dialer: UnitID(10), exports: [], now: Self.now)
        _ = router.established(
            1, remote: Self.above, relation: .upstream, dialer: UnitID(20), exports: [Self.fromAbove], now: Self.now)
        let actions = router.received(
            Self.advertisement(300, origin: UnitID(30)), from: UnitID(30), on: 1, now: Self.now)
        let sends = Self.sends(actions)
        #expect(sends.map(\.1) == [UnitID(10), UnitID(10)], "to the unit below only")
        #expect(sends.map(\.0.type) == [.exportsUpdate, .routeAdvertisement])
        #expect(sends.first?.0 == .exportsUpdate(Exports(unit: Self.local, services: [Self.fromAbove])))
    }
}
