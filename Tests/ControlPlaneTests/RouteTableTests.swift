import ControlPlane
import NIOCore
import Testing
import UnitProtocol

/// One route table driven by hand: what it sends and what it refuses.
@Suite struct RouteTableTests {
    let now = NIODeadline.uptimeNanoseconds(5_000_000_000)

    static func routes(_ entries: (UInt32, UInt32, UInt8)...) -> RouteAdvertisement {
        RouteAdvertisement(routes: entries.map { RouteEntry(sid: ServiceID($0.0), origin: UnitID($0.1), hops: $0.2) })
    }

    @Test func aNewDownstreamUnitHearsEveryRouteOnce() throws {
        var table = RouteTable(localUnit: UnitID(20))
        _ = table.host(ServiceID(1), now: now)
        let actions = try table.channelUp(UnitID(10), relation: .downstream, now: now)
        #expect(actions == [.send(.routeAdvertisement(Self.routes((1, 20, 0))), to: UnitID(10))])
        #expect(table.adjacencies.map(\.unit) == [UnitID(10)])
    }

    /// A neighbour may have us learn at most so many routes: an advertisement that would take
    /// it over is refused whole, and what it advertised before stays.
    @Test func aNeighbourAdvertisingMoreRoutesThanTheLimitIsRefused() throws {
        var table = RouteTable(localUnit: UnitID(10), maximumRoutesPerNeighbour: 2)
        _ = try table.channelUp(UnitID(20), relation: .upstream, now: now)
        _ = try table.received(Self.routes((1, 20, 0), (2, 20, 0)), from: UnitID(20), now: now)
        _ = try table.received(Self.routes((2, 20, 1)), from: UnitID(20), now: now)
        #expect(table.routes.count == 2, "a route it already gave us does not count twice")
        #expect(
            throws: RouteTableError(
                neighbour: UnitID(20), reason: "more than 2 routes advertised (units.maximumServices)")
        ) {
            try table.received(Self.routes((3, 20, 0)), from: UnitID(20), now: now)
        }
        #expect(table.routes.keys.sorted() == [ServiceID(1), ServiceID(2)])
        _ = try table.received(Self.routes((1, 20, 16), (3, 20, 0)), from: UnitID(20), now: now)
        #expect(
            table.routes.keys.sorted() == [ServiceID(2), ServiceID(3)], "a withdrawal makes room in the same message")
    }

    @Test func anUpstreamUnitHearsNothing() throws {
        var table = RouteTable(localUnit: UnitID(10))
        _ = table.host(ServiceID(1), now: now)
        #expect(try table.channelUp(UnitID(20), relation: .upstream, now: now).isEmpty)
    }

    @Test func routesFromADownstreamUnitAreRefused() throws {
        var table = RouteTable(localUnit: UnitID(20))
        _ = try table.channelUp(UnitID(10), relation: .downstream, now: now)
        #expect(
            throws: RouteTableError(
                neighbour: UnitID(10),
                reason: "a downstream unit advertised routes; lower tiers do not serve higher ones")
        ) {
            try table.received(Self.routes((5, 10, 0)), from: UnitID(10), now: now)
        }
        #expect(table.routes.isEmpty)
    }

    @Test func aRouteClaimingOurUIDIsRefusedWholeAndChangesNothing() throws {
        var table = RouteTable(localUnit: UnitID(10))
        _ = try table.channelUp(UnitID(20), relation: .upstream, now: now)
        #expect(throws: RouteTableError.self) {
            try table.received(Self.routes((5, 20, 0), (6, 10, 1)), from: UnitID(20), now: now)
        }
        #expect(table.routes.isEmpty, "the valid entry before the bad one was not applied either")
    }

    @Test func aNeighbourClaimingOurUIDIsRefused() {
        var table = RouteTable(localUnit: UnitID(10))
        #expect(throws: RouteTableError.self) { try table.channelUp(UnitID(10), relation: .peer, now: now) }
    }

    @Test func routesBeforeTheHandshakeAreRefused() {
        var table = RouteTable(localUnit: UnitID(10))
        #expect(throws: RouteTableError.self) {
            try table.received(Self.routes((5, 20, 0)), from: UnitID(20), now: now)
        }
        #expect(throws: RouteTableError.self) {
            try table.received(RouteWithdrawal(sids: [ServiceID(5)]), from: UnitID(20), now: now)
        }
    }

    @Test func fifteenHopsAwayIsTheEdgeAndSixteenIsAWithdrawal() throws {
        var table = RouteTable(localUnit: UnitID(10))
        _ = try table.channelUp(UnitID(20), relation: .upstream, now: now)
        _ = try table.received(Self.routes((5, 30, 14), (6, 30, 15)), from: UnitID(20), now: now)
        #expect(table.route(to: ServiceID(5))?.hops == 15)
        #expect(table.route(to: ServiceID(6)) == nil, "15 + 1 is infinity")
        let actions = try table.received(Self.routes((5, 30, 16)), from: UnitID(20), now: now)
        #expect(table.route(to: ServiceID(5)) == nil)
        #expect(actions == [.routeChanged(ServiceID(5), nil)])
    }

    @Test func aPeersOwnServiceIsIgnored() throws {
        var table = RouteTable(localUnit: UnitID(11))
        _ = try table.channelUp(UnitID(12), relation: .peer, now: now)
        _ = try table.received(Self.routes((120, 12, 0), (300, 30, 1)), from: UnitID(12), now: now)
        #expect(table.route(to: ServiceID(120)) == nil)
        #expect(table.route(to: ServiceID(300))?.nextHop == UnitID(12))
        #expect(table.counters.peerServicesIgnored == 1)
    }

    @Test func aRouteRemembersWhenItLastChanged() throws {
        var table = RouteTable(localUnit: UnitID(10))
        _ = try table.channelUp(UnitID(20), relation: .upstream, now: now)
        _ = try table.received(Self.routes((5, 30, 1)), from: UnitID(20), now: now)
        let later = now + .seconds(3)
        let unchanged = try table.received(Self.routes((5, 30, 1)), from: UnitID(20), now: later)
        #expect(unchanged.isEmpty, "the same route again is no change and sends nothing")
        #expect(table.route(to: ServiceID(5))?.since == now)
    }

    @Test func splitHorizonWithdrawsFromTheNeighbourARouteNowGoesThrough() throws {
        // 11 relays an upstream route to its peer 12; when 11's best route moves to go through
        // 12, 12 must stop hearing of it from 11.
        var table = RouteTable(localUnit: UnitID(11))
        _ = try table.channelUp(UnitID(30), relation: .upstream, now: now)
        _ = try table.channelUp(UnitID(12), relation: .peer, now: now)
        let relay = try table.received(Self.routes((300, 30, 0)), from: UnitID(30), now: now)
        #expect(relay.contains(.send(.routeAdvertisement(Self.routes((300, 30, 1))), to: UnitID(12))))
        _ = try table.received(Self.routes((300, 30, 1)), from: UnitID(12), now: now)
        let lost = table.channelDown(UnitID(30), now: now)
        #expect(table.route(to: ServiceID(300))?.nextHop == UnitID(12))
        #expect(lost.contains(.send(.routeWithdrawal(RouteWithdrawal(sids: [ServiceID(300)])), to: UnitID(12))))
    }
}
