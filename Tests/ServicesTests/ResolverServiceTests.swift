import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Services
import Testing
import UnitProtocol

/// Two domains: 11 (s1, s2) and 12 (s3, s4), joined by s2:3 – s3:3. h1 attaches at s1:1 in
/// domain 11, h3 at s4:1 in domain 12.
@Suite struct ResolverServiceTests {
    typealias Forwarding = ShortestPathForwardingServiceTests
    static let (s1, s2, s3, s4) = (DatapathID(1), DatapathID(2), DatapathID(3), DatapathID(4))
    static let (d11, d12) = (UnitID(11), UnitID(12))
    static let h1 = MACAddress(0, 0, 0, 0, 0, 1), h3 = MACAddress(0, 0, 0, 0, 0, 3)
    static let ip1 = IPv4Address(10, 0, 0, 1), ip3 = IPv4Address(10, 0, 0, 3)

    static func run(
        _ service: any HostedService, _ event: NetworkEvent, domain: UnitID?
    ) -> (
        ServiceVerdict, ServiceContext, [(DatapathID, OpenFlowMessage.Body)]
    ) {
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: sink, domain: domain)
        let verdict = service.handle(event, context: &context)
        return (verdict, context, sink.sent)
    }

    static func resolver() -> ResolverService {
        let resolver = ResolverService()
        for (dpid, domain) in [(s1, d11), (s2, d11), (s3, d12), (s4, d12)] {
            _ = run(resolver, AuthenticatorServiceTests.switchAdded(dpid), domain: domain)
        }
        _ = run(
            resolver, .linkAdded(DiscoveredLink(near: Forwarding.at(s2, 3), far: Forwarding.at(s3, 3), farUnit: d12)),
            domain: d11)
        _ = run(
            resolver, .linkAdded(DiscoveredLink(near: Forwarding.at(s3, 3), far: Forwarding.at(s2, 3), farUnit: d11)),
            domain: d12)
        _ = run(resolver, .deviceAdded(Host(mac: h1, ipv4: ip1, location: Forwarding.at(s1, 1))), domain: d11)
        _ = run(resolver, .deviceAdded(Host(mac: h3, ipv4: ip3, location: Forwarding.at(s4, 1))), domain: d12)
        return resolver
    }

    static func arpRequest(
        from mac: MACAddress, _ ip: IPv4Address, for target: IPv4Address, at location: HostLocation
    )
        -> NetworkEvent
    {
        let frame = EthernetFrame(
            destination: .broadcast, source: mac,
            payload: .arp(
                ARPPacket(
                    operation: .request, senderHardwareAddress: mac, senderProtocolAddress: ip,
                    targetHardwareAddress: .zero, targetProtocolAddress: target)))
        let data = frame.encoded()
        return .packetIn(
            PacketInEvent(
                datapathID: location.datapathID, xid: 0,
                packetIn: PacketIn(totalLength: UInt16(data.readableBytes), inPort: location.port, data: data),
                match: Match(extractingFrom: data, inPort: location.port)))
    }

    @Test func aDestinationInAnotherDomainIsAnsweredWithItsDomainAndTheEdgeTowardsIt() {
        let resolver = Self.resolver()
        let (_, byMAC, _) = Self.run(
            resolver, Forwarding.packet(from: Self.h1, to: Self.h3, at: Forwarding.at(Self.s1, 1)), domain: Self.d11)
        #expect(
            Resolution(byMAC.attributes) == .remote(mac: Self.h3, domain: Self.d12, edge: Forwarding.at(Self.s2, 3)))
        let (_, byIP, _) = Self.run(
            resolver, Self.arpRequest(from: Self.h1, Self.ip1, for: Self.ip3, at: Forwarding.at(Self.s1, 1)),
            domain: Self.d11)
        #expect(Resolution(byIP.attributes) == .remote(mac: Self.h3, domain: Self.d12, edge: Forwarding.at(Self.s2, 3)))
        // The other way, from domain 12.
        let (_, back, _) = Self.run(
            resolver, Forwarding.packet(from: Self.h3, to: Self.h1, at: Forwarding.at(Self.s4, 1)), domain: Self.d12)
        #expect(Resolution(back.attributes)?.edge == Forwarding.at(Self.s3, 3))
        // In the asking domain itself, and nobody's.
        let (_, local, _) = Self.run(
            resolver, Forwarding.packet(from: Self.h3, to: Self.h3, at: Forwarding.at(Self.s3, 1)), domain: Self.d12)
        #expect(Resolution(local.attributes) == .local(mac: Self.h3))
        let (_, unknown, _) = Self.run(
            resolver,
            Forwarding.packet(from: Self.h1, to: MACAddress(0, 0, 0, 0, 0, 0x99), at: Forwarding.at(Self.s1, 1)),
            domain: Self.d11)
        #expect(Resolution(unknown.attributes) == .unknown)
        #expect(resolver.counters.remote == 3 && resolver.counters.local == 1 && resolver.counters.unknown == 1)
    }

    @Test func aHostThatChangesDomainIsForgottenByTheDomainsThatWereToldWhereItWas() throws {
        let resolver = Self.resolver()
        // Domain 12 asks about h1 (its server answering the client).
        _ = Self.run(
            resolver, Forwarding.packet(from: Self.h3, to: Self.h1, at: Forwarding.at(Self.s4, 1)), domain: Self.d12)
        // h1 leaves domain 11, then turns up at s3:1 in domain 12.
        _ = Self.run(
            resolver, .deviceRemoved(Host(mac: Self.h1, location: Forwarding.at(Self.s1, 1))), domain: Self.d11)
        let (_, arrival, _) = Self.run(
            resolver, .deviceAdded(Host(mac: Self.h1, location: Forwarding.at(Self.s3, 1))), domain: Self.d12)
        #expect(resolver.counters.domainChanges == 1 && resolver.counters.conflicts == 0)
        #expect(arrival.commands.map(\.domain) == [Self.d12])
        let command = try #require(arrival.commands.first)
        #expect(command.withdrawn == [Self.h1])
        #expect(Set(command.messages.map(\.datapathID)) == [Self.s3, Self.s4])
        for message in command.messages {
            guard case .flowMod(let flow) = try message.message.body else { continue }
            #expect(flow.command == .delete && flow.match.dlDst == Self.h1)
        }
        // Now local to 12.
        let (_, after, _) = Self.run(
            resolver, Forwarding.packet(from: Self.h3, to: Self.h1, at: Forwarding.at(Self.s4, 1)), domain: Self.d12)
        #expect(Resolution(after.attributes) == .local(mac: Self.h1))
    }

    @Test func aHostInTwoDomainsAtOnceIsAConflictAndTheLatestWins() {
        let resolver = Self.resolver()
        let (_, arrival, _) = Self.run(
            resolver, .deviceAdded(Host(mac: Self.h1, location: Forwarding.at(Self.s3, 1))), domain: Self.d12)
        #expect(resolver.counters.conflicts == 1)
        // Domain 11 still had it: its flows from and to it go.
        #expect(arrival.commands.map(\.domain) == [Self.d11])
        #expect(arrival.commands.first?.messages.count == 4, "from and to h1 on s1 and s2")
        #expect(resolver.knownHosts?.first { $0.mac == Self.h1 }?.domain == Self.d12)
        // A late departure from domain 11 changes nothing.
        _ = Self.run(
            resolver, .deviceRemoved(Host(mac: Self.h1, location: Forwarding.at(Self.s1, 1))), domain: Self.d11)
        #expect(resolver.knownHosts?.first { $0.mac == Self.h1 }?.present == true)
    }

    @Test func theClientAsksOnceAndKeepsTheAnswer() {
        let client = ResolverClientService(configuration: .init(resolver: ServiceID(30)))
        let frame = Forwarding.packet(from: Self.h1, to: Self.h3, at: Forwarding.at(Self.s1, 1))
        #expect(Self.run(client, frame, domain: nil).0 == .ask(ServiceID(30)))
        // Resumed with the answer.
        let answer = Resolution.remote(mac: Self.h3, domain: Self.d12, edge: Forwarding.at(Self.s2, 3))
        var attributes = Dictionary(uniqueKeysWithValues: answer.entries.map { ($0.key, $0.value) })
        attributes["asked.30"] = "1"
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink(), attributes: attributes)
        #expect(client.handle(frame, context: &context) == .continue)
        // The next frame is answered from what was kept, for forwarding to read.
        let (verdict, next, _) = Self.run(client, frame, domain: nil)
        #expect(verdict == .continue && Resolution(next.attributes)?.edge == Forwarding.at(Self.s2, 3))
        #expect(client.counters.asked == 1 && client.counters.answeredFromCache == 1)
        // Withdrawn by the resolver: asked again.
        var withdrawal = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        client.withdrawn([Self.h3], by: ServiceID(30), context: &withdrawal)
        #expect(Self.run(client, frame, domain: nil).0 == .ask(ServiceID(30)))
        // No answer in time: on without one.
        var unanswered = ServiceContext(
            now: .now(), hosts: HostTracker(), sink: RecordingSink(), attributes: ["asked.30": "1"])
        #expect(client.handle(frame, context: &unanswered) == .continue)
    }

    @Test func theClientAnswersAnARPRequestForARemoteHostItselfAndStopsTheFlood() throws {
        let client = ResolverClientService(configuration: .init(resolver: ServiceID(30)))
        let request = Self.arpRequest(from: Self.h1, Self.ip1, for: Self.ip3, at: Forwarding.at(Self.s1, 1))
        #expect(Self.run(client, request, domain: nil).0 == .ask(ServiceID(30)))
        let answer = Resolution.remote(mac: Self.h3, domain: Self.d12, edge: Forwarding.at(Self.s2, 3))
        let sink = RecordingSink()
        var context = ServiceContext(
            now: .now(), hosts: HostTracker(), sink: sink,
            attributes: Dictionary(uniqueKeysWithValues: answer.entries.map { ($0.key, $0.value) }))
        #expect(client.handle(request, context: &context) == .stop)
        let (dpid, body) = try #require(sink.sent.first)
        guard case .packetOut(let out) = body else {
            Issue.record("expected a PACKET_OUT, got \(body)")
            return
        }
        #expect(dpid == Self.s1 && out.actions == [.output(port: PortNumber(1), maxLength: 0)])
        let reply = try EthernetFrame(parsing: out.data)
        guard case .arp(let arp) = reply.payload else {
            Issue.record("expected an ARP reply")
            return
        }
        #expect(
            arp.operation == .reply && arp.senderHardwareAddress == Self.h3 && arp.senderProtocolAddress == Self.ip3)
        #expect(reply.destination == Self.h1)
        // A request for an address of this domain's own hosts is not asked about (nor answered
        // here while the unit's tracker does not know the host).
        _ = Self.run(
            client, .deviceAdded(Host(mac: Self.h3, ipv4: Self.ip3, location: Forwarding.at(Self.s2, 1))), domain: nil)
        #expect(Self.run(client, request, domain: nil).0 == .continue)
    }

    @Test func theClientAnswersAnARPRequestForAHostOfItsOwnDomainWithoutFlooding() throws {
        let client = ResolverClientService(configuration: .init(resolver: ServiceID(30)))
        let h3At = Forwarding.at(Self.s2, 1)
        _ = Self.run(client, .deviceAdded(Host(mac: Self.h3, ipv4: Self.ip3, location: h3At)), domain: nil)
        var tracker = HostTracker()
        let h3Frame = Self.arpRequest(from: Self.h3, Self.ip3, for: Self.ip1, at: h3At)
        if case .packetIn(let packet) = h3Frame { _ = tracker.observe(packet.match, on: Self.s2, now: .now()) }
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: tracker, sink: sink)
        // h1 has just arrived and asks for h3: the answer comes from here, out of h1's port.
        let request = Self.arpRequest(from: Self.h1, Self.ip1, for: Self.ip3, at: Forwarding.at(Self.s1, 1))
        #expect(client.handle(request, context: &context) == .stop)
        let (dpid, body) = try #require(sink.sent.first)
        guard case .packetOut(let out) = body, case .arp(let arp) = try EthernetFrame(parsing: out.data).payload else {
            Issue.record("expected an ARP reply in a PACKET_OUT, got \(body)")
            return
        }
        #expect(dpid == Self.s1 && out.actions == [.output(port: PortNumber(1), maxLength: 0)])
        #expect(arp.operation == .reply && arp.senderHardwareAddress == Self.h3 && arp.targetHardwareAddress == Self.h1)
        #expect(client.counters.answeredLocally == 1 && client.counters.asked == 0)
        // A gratuitous ARP, and a host that asks for its own address, go on to be flooded.
        var own = ServiceContext(now: .now(), hosts: tracker, sink: RecordingSink())
        #expect(
            client.handle(Self.arpRequest(from: Self.h3, Self.ip3, for: Self.ip3, at: h3At), context: &own) == .continue
        )
        // A host the tracker has forgotten is not answered for.
        #expect(Self.run(client, request, domain: nil).0 == .continue)
    }

    @Test func aNegativeAnswerIsKeptBriefly() {
        let client = ResolverClientService(configuration: .init(resolver: ServiceID(30), negativeLifetime: .seconds(2)))
        let frame = Forwarding.packet(from: Self.h1, to: MACAddress(0, 0, 0, 0, 0, 0x99), at: Forwarding.at(Self.s1, 1))
        var context = ServiceContext(
            now: .now(), hosts: HostTracker(), sink: RecordingSink(),
            attributes: ["resolve": "unknown", "asked.30": "1"])
        #expect(client.handle(frame, context: &context) == .continue)
        #expect(Self.run(client, frame, domain: nil).0 == .continue, "not asked again within its lifetime")
        var later = ServiceContext(now: .now() + .seconds(3), hosts: HostTracker(), sink: RecordingSink())
        #expect(client.handle(frame, context: &later) == .ask(ServiceID(30)))
    }
}

/// Forwarding towards another domain: the path ends at the edge the resolver named, and a host
/// that then turns up in this domain takes those flows with it.
@Suite struct ForwardingAcrossDomainsTests {
    typealias Ring = ShortestPathForwardingServiceTests
    static let remote = MACAddress(0, 0, 0, 0, 0, 0x99)

    static func ringWithEdge() -> ShortestPathForwardingService {
        let service = ShortestPathForwardingService()
        for dpid in [Ring.s1, Ring.s2, Ring.s3] {
            Ring.run(
                service,
                .switchAdded(
                    SwitchDescription(
                        features: FeaturesReply(datapathID: dpid, ports: [1, 2, 3, 4].map { Ring.port($0) }))))
        }
        for link in Ring.ringLinks { Ring.run(service, .linkAdded(link)) }
        // s3:4 leads to a switch of unit 12.
        Ring.run(
            service,
            .linkAdded(
                DiscoveredLink(near: Ring.at(Ring.s3, 4), far: Ring.at(DatapathID(9), 1), farUnit: UnitID(12))))
        return service
    }

    @Test func aFrameForAnotherDomainGoesToTheEdgeAndTheFlowsGoWhenTheHostArrives() {
        let service = Self.ringWithEdge()
        let answer = Resolution.remote(mac: Self.remote, domain: UnitID(12), edge: Ring.at(Ring.s3, 4))
        let sink = RecordingSink()
        var context = ServiceContext(
            now: .now(), hosts: HostTracker(), sink: sink,
            attributes: Dictionary(uniqueKeysWithValues: answer.entries.map { ($0.key, $0.value) }))
        _ = service.handle(Ring.packet(from: Ring.h1, to: Self.remote, at: Ring.at(Ring.s1, 1)), context: &context)
        let towardsEdge = sink.sent.filter { dpid, body in
            guard case .flowMod(let flow) = body else { return false }
            return flow.match.dlDst == Self.remote && dpid == Ring.s3
        }
        #expect(towardsEdge.map { Ring.outputs($0.1) } == [[PortNumber(4)]], "out of s3 by the edge: \(sink.sent)")
        // Without an answer naming an edge of this domain, it floods as before.
        let flood = Ring.run(
            service, Ring.packet(from: Ring.h1, to: MACAddress(0, 0, 0, 0, 0, 0x98), at: Ring.at(Ring.s1, 1)))
        #expect(flood.allSatisfy { if case .packetOut = $0.1 { true } else { false } })
        // The host arrives here: every switch deletes what goes to it.
        let arrival = Ring.run(service, .deviceAdded(Host(mac: Self.remote, location: Ring.at(Ring.s2, 1))))
        let deletes = arrival.filter { _, body in
            guard case .flowMod(let flow) = body else { return false }
            return (flow.command == .delete || flow.command == .deleteStrict) && flow.match.dlDst == Self.remote
        }
        #expect(Set(deletes.map(\.0)) == [Ring.s1, Ring.s2, Ring.s3])
        // A host never sent anywhere else costs nothing.
        #expect(Ring.run(service, .deviceAdded(Host(mac: Ring.h2, location: Ring.at(Ring.s2, 1)))).isEmpty)
    }
}
