import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing
import UnitProtocol

/// The unit keeps its domain's graph as link discovery finds and loses links.
@Suite struct DomainTopologyTests {
    static let key = [UInt8](repeating: 7, count: 32)
    static let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000)

    final class Domain {
        var unit: UnitController
        let sink = RecordingSink()

        init(switches: [UInt64], services: [any HostedService] = []) {
            unit = UnitController(services: services, domain: UnitID(11), probeKey: DomainTopologyTests.key)
            unit.setWallClock(microseconds: 1_800_000_000_000_000, at: DomainTopologyTests.t0)
            for dpid in switches {
                _ = unit.switchConnected(
                    LinkDiscoveryTests.description(dpid, ports: [1, 2, 3]), on: ConnectionID(rawValue: UInt(dpid)),
                    now: DomainTopologyTests.t0, sink: sink)
            }
        }

        /// The last probe the unit sent out of `from`, delivered as a PACKET_IN at `to`.
        func carry(from: (UInt64, UInt16), to: (UInt64, UInt16), now: NIODeadline = DomainTopologyTests.t0) {
            guard let probe = sink.probe(from: from, arrivingAt: to) else {
                Issue.record("no probe went out of \(from)")
                return
            }
            unit.received(probe, from: DatapathID(to.0), now: now, sink: sink)
        }
    }

    static func link(_ a: (UInt64, UInt16), _ b: (UInt64, UInt16)) -> TopologyLink {
        TopologyLink(
            HostLocation(datapathID: DatapathID(a.0), port: PortNumber(a.1)),
            HostLocation(datapathID: DatapathID(b.0), port: PortNumber(b.1)))
    }

    @Test func discoveredLinksMakeTheGraphAndLeaveItWithTheirPortOrSwitch() {
        let domain = Domain(switches: [1, 2, 3])
        #expect(domain.unit.topology.switches == [DatapathID(1), DatapathID(2), DatapathID(3)])
        domain.carry(from: (1, 2), to: (2, 1))
        domain.carry(from: (2, 2), to: (3, 1))
        domain.carry(from: (3, 1), to: (2, 2))  // the other direction of the same link: still one
        #expect(domain.unit.topology.links == [Self.link((1, 2), (2, 1)), Self.link((2, 2), (3, 1))])
        // Port 2:1 goes down: its link goes at once.
        let down = PhysicalPort(
            portNumber: PortNumber(1), hardwareAddress: MACAddress(rawValue: 0x201), name: "p1", state: .linkDown)
        domain.unit.received(
            OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .modify, port: down))), from: DatapathID(2),
            now: Self.t0, sink: domain.sink)
        #expect(domain.unit.topology.links == [Self.link((2, 2), (3, 1))])
        // Switch 3 leaves: it and its link go.
        domain.unit.switchDisconnected(DatapathID(3), on: ConnectionID(rawValue: 3), now: Self.t0, sink: domain.sink)
        #expect(domain.unit.topology.switches == [DatapathID(1), DatapathID(2)])
        #expect(domain.unit.topology.links.isEmpty)
    }

    /// A link stays while either direction is confirmed, and goes when neither is.
    @Test func aLinkExpiresWhenNeitherDirectionIsConfirmed() {
        let domain = Domain(switches: [1, 2])
        domain.carry(from: (1, 2), to: (2, 1))
        // Ten seconds on, a probe round goes out (probes are signed as they leave) and one comes back.
        domain.unit.tick(now: Self.t0 + .seconds(10), sink: domain.sink)
        domain.carry(from: (2, 1), to: (1, 2), now: Self.t0 + .seconds(10))
        let timeout = domain.unit.links.linkTimeout
        domain.unit.tick(now: Self.t0 + timeout, sink: domain.sink)
        #expect(domain.unit.topology.links == [Self.link((1, 2), (2, 1))], "one direction is still fresh")
        domain.unit.tick(now: Self.t0 + .seconds(10) + timeout, sink: domain.sink)
        #expect(domain.unit.topology.links.isEmpty)
    }

    /// A cable moved: the port's new far end replaces the old link, in the graph and in
    /// discovery, and the old far end may carry hosts again.
    @Test func aMovedCableReplacesItsLink() {
        let domain = Domain(switches: [1, 2, 3])
        domain.carry(from: (1, 2), to: (2, 1))
        domain.carry(from: (3, 3), to: (1, 2))
        #expect(domain.unit.topology.links == [Self.link((1, 2), (3, 3))])
        #expect(
            !domain.unit.hosts.infrastructurePorts.contains(
                HostLocation(datapathID: DatapathID(2), port: PortNumber(1))))
        #expect(domain.unit.links.links.keys.allSatisfy { $0.source.datapathID != DatapathID(2) })
    }

    /// A genuine probe from another unit's switch is a domain edge: in no link of this domain.
    @Test func anotherUnitsProbeMakesADomainEdge() throws {
        let domain = Domain(switches: [1])
        var other = ProbeAuthenticator(unit: UnitID(12), key: Self.key)
        let probe = other.sign(
            LLDPProbe(datapathID: DatapathID(0x99), port: PortNumber(4), portAddress: MACAddress(2, 0, 0, 0, 0x99, 4)),
            now: 1_800_000_000_000_000)
        let data = probe.frame.encoded()
        domain.unit.received(
            OpenFlowMessage(
                xid: 0, .packetIn(PacketIn(totalLength: UInt16(data.readableBytes), inPort: PortNumber(3), data: data))),
            from: DatapathID(1), now: Self.t0, sink: domain.sink)
        let edge = try #require(domain.unit.domainEdges[HostLocation(datapathID: DatapathID(1), port: PortNumber(3))])
        #expect(edge.unit == UnitID(12))
        #expect(edge.far == HostLocation(datapathID: DatapathID(0x99), port: PortNumber(4)))
        #expect(domain.unit.topology.links.isEmpty)
        domain.unit.tick(now: Self.t0 + domain.unit.links.linkTimeout, sink: domain.sink)
        #expect(domain.unit.domainEdges.isEmpty, "unconfirmed, it expires like a link")
    }

    /// Sees the link events a unit's discovery reports.
    final class LinkWatcher: HostedService {
        let name = "links"
        let subscriptions = EventCategory.linkEvents
        let priority = 0
        var seen: [String] = []

        func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
            switch event {
            case .linkAdded(let link): seen.append("+ \(link)")
            case .linkRemoved(let link): seen.append("- \(link)")
            default: break
            }
            return .continue
        }
    }

    /// Services (here or above) follow the graph through link events: a link once when found
    /// (whichever direction first), gone with its port, its switch, or its probes.
    @Test func servicesAreToldOfEachLinkOnceAsItComesAndGoes() {
        let watcher = LinkWatcher()
        let domain = Domain(switches: [1, 2, 3], services: [watcher])
        domain.carry(from: (1, 2), to: (2, 1))
        domain.carry(from: (2, 1), to: (1, 2))
        domain.carry(from: (2, 2), to: (3, 1))
        #expect(
            watcher.seen == [
                "+ 0000000000000001:2 <-> 0000000000000002:1", "+ 0000000000000002:2 <-> 0000000000000003:1",
            ])
        let down = PhysicalPort(
            portNumber: PortNumber(2), hardwareAddress: MACAddress(rawValue: 0x102), name: "p2", state: .linkDown)
        domain.unit.received(
            OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .modify, port: down))), from: DatapathID(1),
            now: Self.t0, sink: domain.sink)
        domain.unit.switchDisconnected(DatapathID(3), on: ConnectionID(rawValue: 3), now: Self.t0, sink: domain.sink)
        #expect(
            watcher.seen.suffix(2) == [
                "- 0000000000000001:2 <-> 0000000000000002:1", "- 0000000000000002:2 <-> 0000000000000003:1",
            ])
        #expect(domain.unit.discoveredLinks.isEmpty)
    }

    @Test func aDomainEdgeIsReportedWithItsFarUnit() {
        let watcher = LinkWatcher()
        let domain = Domain(switches: [1], services: [watcher])
        var other = ProbeAuthenticator(unit: UnitID(12), key: Self.key)
        for second in [0, 1] {
            let probe = other.sign(
                LLDPProbe(
                    datapathID: DatapathID(0x99), port: PortNumber(4), portAddress: MACAddress(2, 0, 0, 0, 0x99, 4)),
                now: 1_800_000_000_000_000 + UInt64(second) * 1_000_000)
            let data = probe.frame.encoded()
            domain.unit.received(
                OpenFlowMessage(
                    xid: 0,
                    .packetIn(PacketIn(totalLength: UInt16(data.readableBytes), inPort: PortNumber(3), data: data))),
                from: DatapathID(1), now: Self.t0 + .seconds(Int64(second)), sink: domain.sink)
        }
        #expect(watcher.seen == ["+ 0000000000000001:3 <-> 0000000000000099:4 of u12"], "once, though confirmed twice")
        #expect(domain.unit.discoveredLinks.map(\.farUnit) == [UnitID(12)])
        domain.unit.tick(now: Self.t0 + .seconds(1) + domain.unit.links.linkTimeout, sink: domain.sink)
        #expect(watcher.seen.last == "- 0000000000000001:3 <-> 0000000000000099:4 of u12")
    }

    /// A cable flapping many times a second: after three flaps the link is suppressed, so the
    /// tree stays as it is; services see it present but not to be used; it comes back once steady.
    @Test func aFlappingLinkIsDampedAndComesBackWhenSteady() {
        let watcher = LinkWatcher()
        let domain = Domain(switches: [1, 2], services: [watcher])
        let up = PhysicalPort(portNumber: PortNumber(2), hardwareAddress: MACAddress(rawValue: 0x102), name: "p2")
        var down = up
        down.state = .linkDown
        var now = Self.t0
        for _ in 0..<5 {
            domain.carry(from: (2, 1), to: (1, 2), now: now)
            now = now + .milliseconds(50)
            domain.unit.received(
                OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .modify, port: down))), from: DatapathID(1),
                now: now, sink: domain.sink)
            domain.unit.received(
                OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .modify, port: up))), from: DatapathID(1),
                now: now, sink: domain.sink)
            // The port came up: a probe went out of it at once.
            domain.carry(from: (1, 2), to: (2, 1), now: now)
            now = now + .milliseconds(50)
        }
        #expect(domain.unit.counters.linksSuppressed == 1)
        #expect(domain.unit.topology.blocked == [Self.link((1, 2), (2, 1))])
        #expect(watcher.seen.last?.hasSuffix("(suppressed: it flaps)") == true, "\(watcher.seen)")
        #expect(domain.sink.warnings.contains { $0.hasPrefix("link_suppressed") })
        // Steady for the hold time, and still confirmed by probes: back in use.
        domain.unit.tick(now: now + .seconds(5), sink: domain.sink)
        domain.carry(from: (1, 2), to: (2, 1), now: now + .seconds(5))
        domain.unit.tick(now: now + domain.unit.damping.holdTime, sink: domain.sink)
        #expect(domain.unit.topology.blocked.isEmpty && domain.unit.topology.links.count == 1)
        #expect(watcher.seen.last == "+ 0000000000000001:2 <-> 0000000000000002:1")
    }

    @Test func aPortStatusForAPortTheSwitchNeverHadIsCountedAndIgnored() {
        let watcher = LinkWatcher()
        let domain = Domain(switches: [1], services: [watcher])
        let ghost = PhysicalPort(portNumber: PortNumber(42), hardwareAddress: MACAddress(rawValue: 0x142), name: "p42")
        let ports = domain.unit.switches.description(of: DatapathID(1))?.ports.count ?? 0
        for reason in [PortStatus.Reason.modify, .delete] {
            domain.unit.received(
                OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: reason, port: ghost))), from: DatapathID(1),
                now: Self.t0, sink: domain.sink)
        }
        #expect(domain.unit.counters.unknownPortStatus == 2)
        #expect(domain.sink.warnings.filter { $0.hasPrefix("unknown_port_status") }.count == 2)
        #expect(domain.unit.switches.description(of: DatapathID(1))?.ports.count == ports, "nothing applied")
        // An added port is news, not a mistake.
        domain.unit.received(
            OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .add, port: ghost))), from: DatapathID(1),
            now: Self.t0, sink: domain.sink)
        #expect(domain.unit.switches.description(of: DatapathID(1))?.ports.count == ports + 1)
    }

    @Test func malformedLLDPAndProbesForMissingPortsAreRejectedForeignLLDPIsLeftAlone() throws {
        let domain = Domain(switches: [1, 2])
        func deliver(_ data: ByteBuffer, at port: UInt16) {
            domain.unit.received(
                OpenFlowMessage(
                    xid: 0,
                    .packetIn(PacketIn(totalLength: UInt16(data.readableBytes), inPort: PortNumber(port), data: data))),
                from: DatapathID(2), now: Self.t0, sink: domain.sink)
        }
        // A genuine probe of ours, then the same frame cut short in its TLVs.
        var probes = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        let ghost = probes.sign(
            LLDPProbe(datapathID: DatapathID(1), port: PortNumber(42), portAddress: MACAddress(2, 0, 0, 0, 1, 42)),
            now: 1_800_000_000_000_000)
        deliver(ghost.frame.encoded(), at: 1)
        var cut = ghost.frame.encoded()
        cut.moveWriterIndex(to: cut.writerIndex - 20)
        deliver(cut, at: 2)
        // lldpd on a host: LLDP, but not ours.
        let foreign = LLDPPacket(
            chassisID: .init(subtype: 4, value: ByteBuffer(bytes: [2, 0, 0, 0, 0, 9])),
            portID: .init(subtype: 3, value: ByteBuffer(bytes: [2, 0, 0, 0, 0, 9])), timeToLive: 120)
        deliver(
            EthernetFrame(
                destination: MACAddress(0x01, 0x80, 0xc2, 0, 0, 0x0e), source: MACAddress(2, 0, 0, 0, 0, 9),
                payload: .lldp(foreign)
            ).encoded(), at: 3)
        #expect(domain.unit.counters.probesRejected == ["unknown_port": 1, "malformed": 1])
        #expect(domain.unit.counters.foreignLLDP == 1)
        #expect(domain.unit.topology.links.isEmpty)
    }
}
