import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Services
import Testing
import UnitProtocol

/// A ring of three switches, each with a host port (1) and two link ports:
/// s1:2–s2:3, s2:2–s3:3, s3:2–s1:3. The spanning tree (from s1, ports in order) takes s1's two
/// links and leaves s2:2–s3:3 off it.
@Suite struct ShortestPathForwardingServiceTests {
    static let (s1, s2, s3) = (DatapathID(1), DatapathID(2), DatapathID(3))
    static let h1 = MACAddress(0, 0, 0, 0, 0, 1), h2 = MACAddress(0, 0, 0, 0, 0, 2), h3 = MACAddress(0, 0, 0, 0, 0, 3)
    static let ringLinks = [
        DiscoveredLink(near: at(s1, 2), far: at(s2, 3)),
        DiscoveredLink(near: at(s2, 2), far: at(s3, 3)),
        DiscoveredLink(near: at(s1, 3), far: at(s3, 2)),
    ]

    static func at(_ dpid: DatapathID, _ port: UInt16) -> HostLocation {
        HostLocation(datapathID: dpid, port: PortNumber(port))
    }

    static func port(_ number: UInt16, down: Bool = false) -> PhysicalPort {
        PhysicalPort(
            portNumber: PortNumber(number), hardwareAddress: MACAddress(rawValue: UInt64(number)), name: "p\(number)",
            state: down ? .linkDown : PortState(rawValue: 0))
    }

    static func packet(
        from source: MACAddress, to destination: MACAddress, at location: HostLocation,
        etherType: EtherType = .ipv4, buffer: BufferID = .none
    ) -> NetworkEvent {
        var frame = ByteBuffer()
        frame.writeMACAddress(destination)
        frame.writeMACAddress(source)
        frame.writeInteger(etherType.rawValue)
        frame.writeRepeatingByte(0, count: 46)
        let packetIn = PacketIn(
            bufferID: buffer, totalLength: UInt16(frame.readableBytes), inPort: location.port, data: frame)
        return .packetIn(
            PacketInEvent(
                datapathID: location.datapathID, xid: 0, packetIn: packetIn,
                match: Match(extractingFrom: frame, inPort: location.port)))
    }

    @discardableResult
    static func run(
        _ service: ShortestPathForwardingService, _ event: NetworkEvent
    ) -> [(
        DatapathID, OpenFlowMessage.Body
    )] {
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: sink)
        _ = service.handle(event, context: &context)
        return sink.sent
    }

    /// The ring; s3 may have more ports than its three (host ports beyond 3).
    static func ring(portsOnS3: UInt16 = 3) -> ShortestPathForwardingService {
        let service = ShortestPathForwardingService()
        for (dpid, ports) in [(s1, 3), (s2, 3), (s3, portsOnS3)] as [(DatapathID, UInt16)] {
            run(
                service,
                .switchAdded(
                    SwitchDescription(features: FeaturesReply(datapathID: dpid, ports: (1...ports).map { port($0) }))))
        }
        for link in ringLinks { run(service, .linkAdded(link)) }
        return service
    }

    /// Forwarding in the unit that serves the switches: its tracker sees each PACKET_IN first,
    /// and is the host table.
    final class Tracked {
        let service: ShortestPathForwardingService
        var tracker = HostTracker()

        init(_ service: ShortestPathForwardingService) { self.service = service }

        /// What the service sends for `event`; with `withdrawing`, the hosts' BYPASS ended
        /// instead (the tracker forgets them too).
        func run(_ event: NetworkEvent, withdrawing macs: [MACAddress] = []) -> [(DatapathID, OpenFlowMessage.Body)] {
            if case .packetIn(let packetIn) = event {
                _ = tracker.observe(packetIn.match, on: packetIn.datapathID, now: .now())
            }
            let sink = RecordingSink()
            var context = ServiceContext(now: .now(), hosts: tracker, sink: sink)
            if macs.isEmpty {
                _ = service.handle(event, context: &context)
            } else {
                service.bypassEnded(macs, by: ServiceID(20), context: &context)
                for mac in macs { tracker.forget(mac) }
            }
            return sink.sent
        }
    }

    static func outputs(_ body: OpenFlowMessage.Body) -> [PortNumber] {
        let actions: [Action] =
            switch body {
            case .packetOut(let packetOut): packetOut.actions
            case .flowMod(let flowMod): flowMod.actions
            default: []
            }
        return actions.compactMap {
            guard case .output(let port, _) = $0 else { return nil }
            return port
        }
    }

    /// The flows added, as "switch: in → out for source>destination".
    static func flows(_ sent: [(DatapathID, OpenFlowMessage.Body)], command: FlowMod.Command = .add) -> [String] {
        sent.compactMap { dpid, body in
            guard case .flowMod(let flow) = body, flow.command == command else { return nil }
            let out = outputs(body).map { " -> \($0)" }.joined()
            return
                "\(dpid.rawValue): \(flow.match.inPort)\(out) \(flow.match.dlSrc.bytes[5])>\(flow.match.dlDst.bytes[5])"
        }
    }

    // MARK: Flooding

    @Test func aBroadcastOnARingLeavesOnlyByTreeAndHostPorts() {
        let service = Self.ring()
        let fromHost = Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s1, 1)))
        #expect(fromHost.count == 1 && Self.outputs(fromHost[0].1) == [PortNumber(2), PortNumber(3)])
        // At s2 it came over the tree: it goes to s2's host, not on to s3 over the link off the tree.
        let atS2 = Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s2, 3)))
        #expect(atS2.count == 1 && Self.outputs(atS2[0].1) == [PortNumber(1)])
        // A copy over the link off the tree went round the loop: dropped.
        let looped = Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s3, 3)))
        #expect(looped.isEmpty)
        #expect(service.counters.loopedFloodsDropped == 1)
        #expect(!Self.outputs(fromHost[0].1).contains(.flood), "never OFPP_FLOOD on a graph with loops")
    }

    @Test func hostsAreLearnedOnEdgePortsOnly() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s1, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s2, 3)))
        #expect(service.hosts == [Self.h1: Self.at(Self.s1, 1)], "a link port is no host's attachment point")
    }

    @Test func aLinkFoundOnAPortForgetsWhatWasLearnedThere() {
        let service = ShortestPathForwardingService()
        for dpid in [Self.s1, Self.s2] {
            Self.run(
                service,
                .switchAdded(
                    SwitchDescription(features: FeaturesReply(datapathID: dpid, ports: [Self.port(1), Self.port(2)]))))
        }
        // Before discovery s2:2 looks like a host's port.
        Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s2, 2)))
        #expect(service.hosts[Self.h1] == Self.at(Self.s2, 2))
        Self.run(service, .linkAdded(DiscoveredLink(near: Self.at(Self.s1, 2), far: Self.at(Self.s2, 2))))
        #expect(service.hosts[Self.h1] == nil)
    }

    @Test func aSwitchWhosePortsAreUnknownFloodsItsOwnWay() {
        let service = ShortestPathForwardingService()
        let sent = Self.run(service, Self.packet(from: Self.h1, to: Self.h2, at: Self.at(Self.s1, 1)))
        #expect(sent.count == 1 && Self.outputs(sent[0].1) == [.flood])
    }

    // MARK: Paths

    @Test func aKnownDestinationGetsItsPathBothWaysOnEverySwitch() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        let sent = Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        // Shortest: s1:3 – s3:2. The way back first, then the way there from its far end; the packet last.
        #expect(
            Self.flows(sent) == ["3: 1 -> 2 3>1", "1: 3 -> 1 3>1", "3: 2 -> 1 1>3", "1: 1 -> 3 1>3"])
        guard case .packetOut(let packetOut)? = sent.last?.1, sent.last?.0 == Self.s1 else {
            Issue.record("the packet is sent on at s1: \(sent)")
            return
        }
        #expect(Self.outputs(.packetOut(packetOut)) == [PortNumber(3)])
        for case (_, .flowMod(let flow)) in sent {
            #expect(flow.match.wildcards != [], "wildcarded: an exact-match flow would outrank operators' rules")
            #expect(flow.match.wildcards.contains(.dlType) && !flow.match.wildcards.contains(.inPort))
            #expect(flow.priority < ShortestPathForwardingService.Configuration.operatorBand.lowerBound)
            #expect(flow.idleTimeout == 10)
        }
        #expect(service.recordedPaths == 2)
    }

    /// The packet outran its flows and came up from the middle of its path: the hops from there
    /// are installed again, and the pair's recorded path (and its first switch's flow) is kept.
    @Test func aPacketArrivingMidPathKeepsThePairsPath() {
        let service = Self.ring()
        Self.run(service, .linkRemoved(Self.ringLinks[2]))  // a line now: s1 – s2 – s3
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        let midway = Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s2, 3)))
        #expect(Self.flows(midway) == ["3: 3 -> 1 1>3", "2: 3 -> 2 1>3"])
        #expect(Self.flows(midway, command: .deleteStrict).isEmpty)
        let broken = Self.run(service, .linkRemoved(Self.ringLinks[0]))
        #expect(Self.flows(broken, command: .deleteStrict).contains("1: 1 1>3"), "the whole path is still known")
    }

    @Test func aBufferedPacketGoesOutThroughItsFirstFlow() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s2, 1)))
        let sent = Self.run(
            service, Self.packet(from: Self.h1, to: Self.h2, at: Self.at(Self.s1, 1), buffer: BufferID(rawValue: 7)))
        #expect(!sent.contains { if case .packetOut = $0.1 { true } else { false } })
        guard case .flowMod(let first)? = sent.last?.1 else { return }
        #expect(first.bufferID == BufferID(rawValue: 7) && first.match.inPort == PortNumber(1))
    }

    @Test func aFrameFromAHostToItsOwnPortIsNotSentBack() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s1, 1)))
        #expect(Self.run(service, Self.packet(from: Self.h1, to: Self.h2, at: Self.at(Self.s1, 1))).isEmpty)
    }

    @Test func discoveryAndBridgeFramesAreNeverForwarded() {
        let service = Self.ring()
        #expect(
            Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s1, 1), etherType: .lldp))
                .isEmpty)
        let stp = MACAddress(0x01, 0x80, 0xc2, 0, 0, 0)
        #expect(Self.run(service, Self.packet(from: Self.h1, to: stp, at: Self.at(Self.s1, 1))).isEmpty)
    }

    // MARK: Changes

    @Test func aLinkGoingDownTakesItsPathsFlowsAndTrafficTakesTheOtherWay() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        let status = PortStatus(reason: .modify, port: Self.port(3, down: true))
        let removed = Self.run(service, .switchPortChanged(Self.s1, status))
        #expect(
            Self.flows(removed, command: .deleteStrict).sorted()
                == ["1: 1 1>3", "1: 3 3>1", "3: 1 3>1", "3: 2 1>3"])
        #expect(service.counters.pathsBroken == 2)
        let rerouted = Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(
            Self.flows(rerouted).filter { $0.hasSuffix("1>3") } == ["3: 3 -> 1 1>3", "2: 3 -> 2 1>3", "1: 1 -> 2 1>3"])
        // The tree now spans the ring without the dead link: s2:2–s3:3 carries floods.
        let flood = Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s2, 3)))
        #expect(Self.outputs(flood[0].1) == [PortNumber(1), PortNumber(2)])
    }

    @Test func aLinkExpiringTakesItsPathsFlowsToo() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        let removed = Self.run(service, .linkRemoved(Self.ringLinks[2]))
        #expect(Self.flows(removed, command: .deleteStrict).count == 4)
        #expect(service.recordedPaths == 0)
    }

    @Test func aHostThatMovesHasItsFlowsRemovedAndIsReachedWhereItIsNow() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        // h3 shows up on s2.
        let moved = Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s2, 1)))
        #expect(service.hosts[Self.h3] == Self.at(Self.s2, 1))
        #expect(service.counters.hostMoves == 1)
        #expect(Self.flows(moved, command: .deleteStrict).count == 4)
        let after = Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(Self.flows(after).filter { $0.hasSuffix("1>3") } == ["2: 3 -> 1 1>3", "1: 1 -> 2 1>3"])
    }

    @Test func aHostWhosePortGoesDownIsForgottenWithItsFlows() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        let gone = Self.run(service, .switchPortChanged(Self.s3, PortStatus(reason: .delete, port: Self.port(1))))
        #expect(service.hosts[Self.h3] == nil)
        #expect(Self.flows(gone, command: .deleteStrict).count == 4)
        // h3 unknown now: flooded, over the tree and to hosts only.
        let flood = Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(flood.count == 1 && Self.outputs(flood[0].1) == [PortNumber(2), PortNumber(3)])
    }

    @Test func aSwitchLeavingTakesItsLinksHostsAndPaths() {
        let service = Self.ring()
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        Self.run(service, Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        Self.run(service, .switchRemoved(Self.s3))
        #expect(service.hosts[Self.h3] == nil && service.recordedPaths == 0)
        #expect(service.graph.links.count == 1)
    }

    @Test func aDomainEdgeIsNeitherFloodedAcrossNorAHostsPort() {
        let service = Self.ring()
        let edge = DiscoveredLink(
            near: Self.at(Self.s1, 1), far: HostLocation(datapathID: DatapathID(0x99), port: PortNumber(4)),
            farUnit: UnitID(12))
        Self.run(service, .linkAdded(edge))
        let flood = Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s2, 3)))
        #expect(Self.outputs(flood[0].1) == [PortNumber(1)], "s2's host port only")
        let fromS1 = Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s1, 2)))
        #expect(Self.outputs(fromS1[0].1) == [PortNumber(3)], "not out of the domain edge s1:1")
        Self.run(service, Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s1, 1)))
        #expect(service.hosts[Self.h3] == nil)
        Self.run(service, .linkRemoved(edge))
        let again = Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s1, 2)))
        #expect(Self.outputs(again[0].1) == [PortNumber(1), PortNumber(3)])
    }

    /// In the unit that serves the switches, the unit's tracker is the host table: forwarding
    /// keeps none of its own, and the tracker's move and departure events take the flows.
    @Test func inTheSwitchesOwnUnitTheTrackerIsTheHostTable() {
        let service = Self.ring()
        let unit = Tracked(service)
        func run(_ event: NetworkEvent) -> [(DatapathID, OpenFlowMessage.Body)] { unit.run(event) }
        _ = run(Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        let sent = run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(Self.flows(sent).count == 4, "both ways, from the tracker's locations: \(Self.flows(sent))")
        #expect(service.hosts.isEmpty, "no second table")
        // The tracker sees h3 on s2 and says so before the packet: the old flows go.
        let moved = run(
            .deviceChanged(
                Host(mac: Self.h3, location: Self.at(Self.s2, 1)), .moved(from: Self.at(Self.s3, 1))))
        #expect(Self.flows(moved, command: .deleteStrict).count == 4)
        let gone = run(.deviceRemoved(Host(mac: Self.h1, location: Self.at(Self.s1, 1))))
        #expect(
            gone.contains { dpid, body in
                if case .flowMod(let flow) = body { dpid == Self.s1 && flow.command == .delete } else { false }
            })
    }

    /// The tracker has h3 at another port of the same switch, and forwarding missed the event
    /// that said so (it was shed): the new path enters s3 by the port the old one did, so its
    /// flow there has the old flow's match. It replaces that flow, and no strict delete of the
    /// old hop follows to take it out.
    @Test func aNewPathThatEntersASwitchByTheOldPortIsNotDeletedBehindItsBack() {
        let unit = Tracked(Self.ring(portsOnS3: 4))
        func run(_ event: NetworkEvent) -> [(DatapathID, OpenFlowMessage.Body)] { unit.run(event) }
        _ = run(Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        _ = run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        _ = run(Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 4)))
        let sent = run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(Self.flows(sent).contains("3: 2 -> 4 1>3"), "\(Self.flows(sent))")
        let deleted = Self.flows(sent, command: .deleteStrict)
        #expect(!deleted.contains("3: 2 1>3"), "the new flow at s3 survives: \(deleted)")
        // The old way back entered s3 by h3's old port: a match of its own, deleted.
        #expect(deleted == ["3: 1 3>1"])
    }

    /// An authenticator above revoked h3 (ended its BYPASS): the tracker forgets it, and
    /// forwarding must lay no path to it, not even as the way back of h1's path, until its own
    /// frame has been judged again; with a path laid, h3's replies would ride it unseen.
    @Test func aWithdrawnHostIsForgottenWithEveryFlowToOrFromIt() {
        let service = Self.ring()
        let unit = Tracked(service)
        func run(_ event: NetworkEvent, withdrawing macs: [MACAddress] = []) -> [(DatapathID, OpenFlowMessage.Body)] {
            unit.run(event, withdrawing: macs)
        }
        _ = run(Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        #expect(Self.flows(run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))).count == 4)
        let withdrawn = run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)), withdrawing: [Self.h3])
        // Its recorded paths, and by destination and by source on every switch.
        #expect(Self.flows(withdrawn, command: .deleteStrict).count == 4)
        for dpid in [Self.s1, Self.s2, Self.s3] {
            let deletes = withdrawn.compactMap { sent, body -> Match? in
                guard sent == dpid, case .flowMod(let flow) = body, flow.command == .delete else { return nil }
                return flow.match
            }
            #expect(deletes == [.to(Self.h3), .from(Self.h3)], "switch \(dpid.rawValue)")
        }
        #expect(service.counters.hostsRevoked == 1 && service.recordedPaths == 0)
        // h1's next frame to it is flooded: no path, no way back for h3's replies to take.
        let next = run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))
        #expect(Self.flows(next).isEmpty && next.count == 1)
        // h3's own frame, judged again above, finds its way as before.
        _ = run(Self.packet(from: Self.h3, to: .broadcast, at: Self.at(Self.s3, 1)))
        #expect(Self.flows(run(Self.packet(from: Self.h1, to: Self.h3, at: Self.at(Self.s1, 1)))).count == 4)
    }

    @Test func aFullHostTableFloodsNewcomersAndCountsThem() {
        let service = ShortestPathForwardingService(configuration: .init(hostCapacity: 1))
        Self.run(
            service,
            .switchAdded(
                SwitchDescription(features: FeaturesReply(datapathID: Self.s1, ports: [Self.port(1), Self.port(2)]))))
        Self.run(service, Self.packet(from: Self.h1, to: .broadcast, at: Self.at(Self.s1, 1)))
        Self.run(service, Self.packet(from: Self.h2, to: .broadcast, at: Self.at(Self.s1, 2)))
        #expect(service.hosts.count == 1 && service.counters.hostOverflow == 1)
    }
}
