import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing
import UnitProtocol

/// A service above that, on a reload, tells domain 11 to stop bypassing a host and to delete
/// its flows on one switch (as an authenticator revoking it does).
final class RevokingService: HostedService {
    let name = "revoking"
    let subscriptions: Set<EventCategory> = [.packetIn]
    let priority = 50
    var revoke: (domain: UnitID, mac: MACAddress, dpid: DatapathID)?

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        if case .packetIn(let packetIn) = event { context.bypass(packetIn.match.dlSrc) }
        return .continue
    }

    func reload(context: inout ServiceContext) {
        guard let revoke else { return }
        var match = Match(wildcards: Match.Wildcards.all.subtracting(.dlSrc))
        match.dlSrc = revoke.mac
        context.command(
            DomainCommand(
                domain: revoke.domain,
                messages: [
                    .init(
                        datapathID: revoke.dpid,
                        message: OpenFlowMessage(xid: 0, .flowMod(FlowMod(match: match, command: .delete))))
                ],
                withdrawn: [revoke.mac]))
    }
}

/// A local service that, told a host's BYPASS ended, deletes its flows on switch 1 (strictly,
/// to tell its FLOW_MOD from the command's).
final class ForgettingService: HostedService {
    let name = "forgetting"
    let subscriptions: Set<EventCategory> = [.packetIn]
    let priority = 10
    var ended: [MACAddress] = []

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict { .continue }

    func bypassEnded(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext) {
        ended += macs
        for mac in macs {
            context.send(.flowMod(FlowMod(match: .from(mac), command: .deleteStrict)), to: DatapathID(1))
        }
    }
}

/// Commands come down the path the domain's events went up, and only from the neighbour each
/// unit reaches the service through.
@Suite struct ServiceCommandTests {
    static let h1 = MACAddress(0x02, 0, 0, 0, 0, 1)

    /// u11 (switches 1 and 2) → u20 (relays) → u30 (hosts s300): h1's PACKET_IN is answered with
    /// BYPASS, then s300's command withdraws it and deletes its flows on switch 1 (the switches a unit above may address are those whose events it saw).
    static func hierarchy(local: [any HostedService] = []) -> (DispatchHierarchy, RevokingService) {
        let net = DispatchHierarchy()
        let service = RevokingService()
        net.add(11, services: local)
        net.add(20)
        net.add(30, serving: [300: service])
        let exported = ExportedService.service(300, origin: 30, action: .divert, timeoutMilliseconds: 5000)
        net.route(11, to: [exported], via: 20)
        net.route(20, to: [exported], via: 30)
        net.connect(11, switches: [1, 2])
        net.packetIn(11, dpid: 1, xid: 5, from: h1)
        net.deliverAll()
        return (net, service)
    }

    @Test func aCommandFromAboveEndsTheBypassAndReachesTheSwitchesOfItsDomain() throws {
        let (net, service) = Self.hierarchy()
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == [ServiceID(300)])
        #expect(net.unit(20)?.dispatcher.domainsBelow == [UnitID(11): UnitID(11)])
        service.revoke = (UnitID(11), Self.h1, DatapathID(1))
        let before = net.output(11).flowMods.count
        net.reload(30)
        net.deliverAll()
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == nil)
        let delete = try #require(net.output(11).flowMods.dropFirst(before).first)
        #expect(delete.0 == DatapathID(1) && delete.1.command == .delete && delete.1.match.dlSrc == Self.h1)
        #expect(net.unit(20)?.dispatcher.counters.commandsRelayed == 1)
        #expect(net.unit(11)?.dispatcher.counters.commandsApplied == 1)
        // u11's tracker forgot h1: no path is laid towards it on what was known of it, and its
        // next PACKET_IN goes up again, after a new device event that says where it attaches.
        #expect(net.unit(11)?.hosts.host(Self.h1) == nil)
        let escalated = net.unit(11)?.dispatcher.counters.escalated ?? 0
        let added = net.unit(11)?.counters.events[EventCategory.deviceAdded.index] ?? 0
        net.packetIn(11, dpid: 1, xid: 6, from: Self.h1)
        #expect(net.unit(11)?.dispatcher.counters.escalated == escalated + 1)
        #expect(net.unit(11)?.counters.events[EventCategory.deviceAdded.index] == added + 1)
        #expect(
            net.unit(11)?.hosts.host(Self.h1)?.location == HostLocation(datapathID: DatapathID(1), port: PortNumber(1)))
        // A withdrawal that ends no BYPASS (a resolver taking back an answer) leaves the host known.
        net.reload(30)
        net.deliverAll()
        #expect(net.unit(11)?.hosts.host(Self.h1) != nil)
        for uid: UInt32 in [11, 20, 30] { #expect(net.output(uid).rejections.isEmpty) }
    }

    /// The local services clean up after a revoked host before the command's own messages go
    /// out: those have the last word (a drop flow the command adds must outlive forwarding's
    /// deletions by source).
    @Test func theLocalServicesForgetARevokedHostBeforeTheCommandsMessagesGoOut() throws {
        let forgetting = ForgettingService()
        let (net, service) = Self.hierarchy(local: [forgetting])
        service.revoke = (UnitID(11), Self.h1, DatapathID(1))
        let before = net.output(11).flowMods.count
        net.reload(30)
        net.deliverAll()
        #expect(forgetting.ended == [Self.h1])
        let sent = net.output(11).flowMods.dropFirst(before).map(\.1.command)
        #expect(sent == [.deleteStrict, .delete], "the local service's, then the command's")
    }

    @Test func aCommandFromAUnitOffTheRouteOrForADomainNobodyKnowsIsRefused() {
        let (net, _) = Self.hierarchy()
        let command = ServiceCommand(sid: ServiceID(300), domain: UnitID(11), withdrawn: [Self.h1])
        // u11 reaches s300 through u20, not u99.
        net.deliver(.command(command), from: UnitID(99), to: UnitID(11))
        #expect(net.output(11).rejections == [.commandOffRoute(sid: 300, from: 99, via: 20)])
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == [ServiceID(300)], "nothing withdrawn")
        // u20 has seen no event from domain 12.
        net.deliver(.command(ServiceCommand(sid: ServiceID(300), domain: UnitID(12))), from: UnitID(30), to: UnitID(20))
        #expect(net.output(20).rejections == [.commandForUnknownDomain(12, sid: 300, from: 30)])
        // A command for a switch not below the unit it goes down to loses that message only.
        var match = Match(wildcards: .all)
        match.dlSrc = Self.h1
        let stray = ServiceCommand(
            sid: ServiceID(300), domain: UnitID(11),
            messages: [
                .init(
                    datapathID: DatapathID(77),
                    message: OpenFlowMessage(xid: 0, .flowMod(FlowMod(match: match, command: .delete))))
            ],
            withdrawn: [Self.h1])
        net.deliver(.command(stray), from: UnitID(30), to: UnitID(20))
        net.deliverAll()
        #expect(net.output(20).rejections.last == .unseenSwitch(77, sid: 300, from: 30))
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == nil, "the rest of it applied")
    }

    @Test func aHostThatMovesIsNoLongerBypassedSoItIsJudgedWhereItIsNow() {
        let (net, _) = Self.hierarchy()
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == [ServiceID(300)])
        let escalated = net.unit(11)?.dispatcher.counters.escalated ?? 0
        // h1's next frame comes in by port 2: it moved.
        let moved = UnitControllerTests.packetIn(from: Self.h1, to: MACAddress(0, 0, 0, 0, 0, 0xee), port: 2)
        net.units[UnitID(11)]?.received(moved, from: DatapathID(1), now: net.now, sink: net.output(11))
        net.collect()
        #expect(net.unit(11)?.dispatcher.counters.escalated == escalated + 1)
        net.deliverAll()
        #expect(net.unit(11)?.dispatcher.bypass[Self.h1] == [ServiceID(300)], "bypassed again by the answer")
    }

    @Test func aCommandFromBelowIsRefusedBeforeTheDispatcher() {
        #expect(
            ServiceRouter.destination(of: .command, from: UnitID(11), relation: .downstream)
                == .refused(.commandFromBelow(from: 11)))
        #expect(ServiceRouter.destination(of: .command, from: UnitID(30), relation: .upstream) == .dispatcher)
    }
}

/// A local service that needs a service above's answer before it goes on.
final class AskingService: HostedService {
    let name = "asking"
    let subscriptions: Set<EventCategory> = [.packetIn]
    let priority = 10
    private(set) var answers: [String?] = []

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        guard context.attributes["asked.300"] != nil else { return .ask(ServiceID(300)) }
        answers.append(context.attributes["answered-by"])
        return .continue
    }
}

/// A local service asks a service above (`ServiceVerdict.ask`): the event waits, DIVERTed to
/// it alone, and comes back to the asker with the answer; the services after it then run.
@Suite struct AskTests {
    @Test func anAskedEventComesBackToTheAskerWithTheAnswer() {
        let net = DispatchHierarchy()
        let asking = AskingService()
        let after = ContextRecorder("forwarding", priority: 0)
        net.add(11, services: [asking, after])
        net.add(30, serving: [300: AnsweringService(tag: "u30")])
        // A listener above: its filter selects no PACKET_IN (SPLIT of switch events only).
        net.route(
            11, to: [ExportedService.service(300, origin: 30, action: .split, subscriptions: [.switchAdded])], via: 30)
        net.connect(11, switches: [1])
        net.deliverAll()
        net.packetIn(11, dpid: 1, xid: 4, from: ServiceCommandTests.h1)
        #expect(after.seen.isEmpty, "waiting for the answer")
        #expect(net.unit(11)?.dispatcher.parked.count == 1)
        net.deliverAll()
        #expect(asking.answers == ["u30"])
        #expect(after.seen.count == 1 && after.seen.first?.attributes["answered-by"] == "u30")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(300)]?.diverted == 1)
        #expect(net.unit(11)?.dispatcher.parked.count == 0)
    }

    @Test func withNoRouteToItTheChainGoesOnWithoutTheAnswer() {
        let net = DispatchHierarchy()
        let asking = AskingService()
        let after = ContextRecorder("forwarding", priority: 0)
        net.add(11, services: [asking, after])
        net.connect(11, switches: [1])
        net.packetIn(11, dpid: 1, xid: 4, from: ServiceCommandTests.h1)
        #expect(asking.answers.isEmpty, "the asker is passed over")
        #expect(after.seen.count == 1)
    }
}

/// A service that DIVERTs and fails closed keeps its filter when its route goes: the events it
/// selects are dropped until it is back, and hosts it had allowed (BYPASS) go on.
@Suite struct UnreachableServiceTests {
    @Test func aFailClosedServiceWhoseRouteIsGoneStillDropsWhatItSelects() {
        let net = DispatchHierarchy()
        let forwarding = ContextRecorder("forwarding", priority: 0)
        let answering = AnsweringService(tag: "u20")
        answering.bypassSources = true
        net.add(11, services: [forwarding])
        net.add(20, serving: [200: answering])
        let guardian = ExportedService.service(200, origin: 20, action: .divert, priority: 10, policy: .failClosed)
        net.route(11, to: [guardian], via: 20)
        net.connect(11, switches: [1])
        let allowed = MACAddress(0x02, 0, 0, 0, 0, 1)
        let newcomer = MACAddress(0x02, 0, 0, 0, 0, 2)
        net.packetIn(11, dpid: 1, xid: 1, from: allowed)
        net.deliverAll()
        #expect(forwarding.seen.count == 1)
        // Tier 2 is gone: its route with it.
        net.route(11, to: [], via: 20)
        #expect(net.unit(11)?.dispatcher.unreachable == [ServiceID(200)])
        net.packetIn(11, dpid: 1, xid: 2, from: newcomer)
        #expect(forwarding.seen.count == 1, "a host it never allowed is dropped")
        #expect(net.unit(11)?.dispatcher.serviceCounters[ServiceID(200)]?.unreachable == 1)
        net.packetIn(11, dpid: 1, xid: 3, from: allowed)
        #expect(forwarding.seen.count == 2, "a host it allowed (BYPASS) goes on")
        // Back: asked again.
        net.route(11, to: [guardian], via: 20)
        #expect(net.unit(11)?.dispatcher.unreachable.isEmpty == true)
        net.packetIn(11, dpid: 1, xid: 4, from: newcomer)
        net.deliverAll()
        #expect(forwarding.seen.count == 3)
    }

    @Test func aFailOpenServiceWhoseRouteIsGoneIsForgotten() {
        let net = DispatchHierarchy()
        net.add(11)
        net.route(11, to: [ExportedService.service(300, origin: 30, action: .divert)], via: 20)
        net.route(11, to: [], via: 20)
        #expect(net.unit(11)?.dispatcher.remote.isEmpty == true)
        #expect(net.unit(11)?.dispatcher.unreachable.isEmpty == true)
    }
}
