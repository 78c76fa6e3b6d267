import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing
import UnitProtocol

/// Records what a unit sends: to switches (with the xid when the unit chose one), to units,
/// and what it rejected.
final class RecordingSink: ControllerOutput {
    var sent: [(DatapathID, OpenFlowMessage.Body)] = []
    var xids: [UInt32?] = []
    var unitMessages: [(UnitMessage, UnitID)] = []
    var rejections: [DispatchRejection] = []
    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        sent.append((datapathID, body))
        xids.append(nil)
    }
    func send(_ message: OpenFlowMessage, to datapathID: DatapathID) {
        sent.append((datapathID, message.body))
        xids.append(message.xid)
    }
    /// A forwarded message is recorded decoded, with the xid it goes out with (nil: the channel's).
    func forward(_ messages: EventReturn.SwitchMessageList, xid: UInt32?) {
        for message in messages {
            do {
                sent.append((message.datapathID, try message.message.body))
                xids.append(xid)
            } catch {
                Issue.record("a forwarded message does not decode: \(error)")
            }
        }
    }
    func send(_ message: UnitMessage, to unit: UnitID) { unitMessages.append((message, unit)) }
    func rejected(_ rejection: DispatchRejection) { rejections.append(rejection) }
    /// The last probe sent out of switch port `from`, as the PACKET_IN it makes arriving at
    /// `to` (a cable between them); nil if none went out.
    func probe(from: (UInt64, UInt16), arrivingAt to: (UInt64, UInt16)) -> OpenFlowMessage? {
        let data = sent.reversed().compactMap { dpid, body -> ByteBuffer? in
            guard dpid == DatapathID(from.0), case .packetOut(let out) = body,
                out.actions == [.output(port: PortNumber(from.1), maxLength: 0)]
            else { return nil }
            return out.data
        }.first
        return data.map {
            OpenFlowMessage(
                xid: 0, .packetIn(PacketIn(totalLength: UInt16($0.readableBytes), inPort: PortNumber(to.1), data: $0)))
        }
    }

    /// Topology warnings, as "kind: line".
    var warnings: [String] = []
    func topologyWarning(_ warning: TopologyWarning, at port: HostLocation) {
        warnings.append("\(warning.kind): \(warning.line(at: port))")
    }
    var packetOuts: [PacketOut] { sent.compactMap { if case .packetOut(let p) = $0.1 { p } else { nil } } }
    /// The FLOW_MODs sent, but for the LLDP intercept flow every switch gets when it connects.
    var flowMods: [(DatapathID, FlowMod, UInt32?)] {
        zip(sent, xids).compactMap { entry, xid in
            guard case .flowMod(let f) = entry.1, f != LinkDiscovery.interceptFlow else { return nil }
            return (entry.0, f, xid)
        }
    }
}

/// A service that records the events it sees and answers with a fixed verdict.
final class RecordingService: HostedService {
    let name: String
    let subscriptions: Set<EventCategory>
    let priority: Int
    let verdict: ServiceVerdict
    var log: [String]
    private let shared: SharedLog

    final class SharedLog { var entries: [String] = [] }

    init(
        _ name: String, priority: Int, subscriptions: Set<EventCategory> = Set(EventCategory.allCases),
        verdict: ServiceVerdict = .continue, shared: SharedLog
    ) {
        self.name = name
        self.priority = priority
        self.subscriptions = subscriptions
        self.verdict = verdict
        self.log = []
        self.shared = shared
    }

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        log.append("\(event.category.rawValue)")
        shared.entries.append("\(name):\(event.category.rawValue)")
        return verdict
    }
}

@Suite struct ProcessChainTests {
    @Test func servicesRunByPriorityUntilOneStops() {
        let log = RecordingService.SharedLog()
        let forwarding = RecordingService("forwarding", priority: 100, shared: log)
        let authenticator = RecordingService("authenticator", priority: 500, verdict: .stop, shared: log)
        let monitor = RecordingService("monitor", priority: 900, subscriptions: [.switchAdded], shared: log)
        let chain = ProcessChain(services: [forwarding, authenticator, monitor])
        #expect(chain.services.map(\.name) == ["monitor", "authenticator", "forwarding"])
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: RecordingSink())
        chain.run(.switchRemoved(DatapathID(1)), context: &context)
        #expect(log.entries == ["authenticator:switch_removed"])
        #expect(chain.wants(.switchAdded) && chain.wants(.packetIn))
        #expect(!ProcessChain(services: [monitor]).wants(.packetIn))
    }
}

@Suite struct UnitControllerTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func packetIn(from source: MACAddress, to destination: MACAddress, port: UInt16) -> OpenFlowMessage {
        let frame = EthernetFrame(
            destination: destination, source: source,
            payload: .arp(
                ARPPacket(
                    operation: .request, senderHardwareAddress: source, senderProtocolAddress: IPv4Address(10, 0, 0, 1),
                    targetHardwareAddress: .zero, targetProtocolAddress: IPv4Address(10, 0, 0, 2)))
        ).encoded()
        return OpenFlowMessage(
            xid: 0, .packetIn(PacketIn(totalLength: UInt16(frame.readableBytes), inPort: PortNumber(port), data: frame))
        )
    }

    @Test func aSwitchIsAnnouncedProbedAndItsHostsLearnt() {
        let log = RecordingService.SharedLog()
        let service = RecordingService("observer", priority: 1, shared: log)
        var unit = UnitController(services: [service])
        let sink = RecordingSink()
        let s1 = LinkDiscoveryTests.description(1, ports: [1, 2])
        #expect(unit.switchConnected(s1, on: 10, now: t0, sink: sink) == nil)
        #expect(sink.packetOuts.count == 2, "an LLDP probe per physical port")
        unit.received(
            Self.packetIn(from: MACAddress(0, 0, 0, 0, 0, 1), to: .broadcast, port: 1), from: DatapathID(1), now: t0,
            sink: sink)
        #expect(log.entries == ["observer:switch_added", "observer:device_added", "observer:packet_in"])
        #expect(unit.hosts.host(MACAddress(0, 0, 0, 0, 0, 1))?.ipv4 == IPv4Address(10, 0, 0, 1))
    }

    @Test func probesComingBackMakeLinksAndKeepHostsOffThem() throws {
        var unit = UnitController(services: [])
        let sink = RecordingSink()
        _ = unit.switchConnected(LinkDiscoveryTests.description(1, ports: [1, 2]), on: 10, now: t0, sink: sink)
        _ = unit.switchConnected(LinkDiscoveryTests.description(2, ports: [1, 2]), on: 20, now: t0, sink: sink)
        // s1's probe out of port 2 arrives at s2 port 1.
        let probe = try #require(sink.packetOuts.first { $0.actions == [.output(port: PortNumber(2), maxLength: 0)] })
        unit.received(
            OpenFlowMessage(
                xid: 0,
                .packetIn(
                    PacketIn(
                        totalLength: UInt16(probe.data.readableBytes), inPort: PortNumber(1), reason: .action,
                        data: probe.data))),
            from: DatapathID(2), now: t0, sink: sink)
        #expect(unit.links.links.count == 1)
        #expect(unit.hosts.infrastructurePorts.contains(HostLocation(datapathID: DatapathID(2), port: PortNumber(1))))
        // A host's frame relayed by s1 reaches s2 on the link port: it does not make a host there.
        unit.received(
            Self.packetIn(from: MACAddress(0, 0, 0, 0, 0, 9), to: .broadcast, port: 1), from: DatapathID(2), now: t0,
            sink: sink)
        #expect(unit.hosts.count == 0)
    }

    @Test func aReconnectingSwitchReplacesItsOldChannelAndOnlyTheNewOneCounts() {
        let log = RecordingService.SharedLog()
        var unit = UnitController(services: [
            RecordingService("observer", priority: 1, subscriptions: EventCategory.switchEvents, shared: log)
        ])
        let sink = RecordingSink()
        let s1 = LinkDiscoveryTests.description(1, ports: [1])
        _ = unit.switchConnected(s1, on: 10, now: t0, sink: sink)
        #expect(unit.switchConnected(s1, on: 11, now: t0, sink: sink) == 10)
        // The old channel closing later must not remove the switch the new one carries.
        unit.switchDisconnected(DatapathID(1), on: 10, now: t0, sink: sink)
        #expect(unit.switches.connection(for: DatapathID(1)) == 11)
        #expect(log.entries == ["observer:switch_added", "observer:switch_removed", "observer:switch_added"])
        unit.switchDisconnected(DatapathID(1), on: 11, now: t0, sink: sink)
        #expect(unit.switches.count == 0)
    }

    @Test func portStatusIsBothASwitchAndAMessageEvent() {
        let log = RecordingService.SharedLog()
        var unit = UnitController(services: [RecordingService("observer", priority: 1, shared: log)])
        let sink = RecordingSink()
        _ = unit.switchConnected(LinkDiscoveryTests.description(1, ports: [1]), on: 10, now: t0, sink: sink)
        let port = PhysicalPort(portNumber: PortNumber(2), hardwareAddress: MACAddress(2, 0, 0, 0, 0, 2), name: "p2")
        unit.received(
            OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .add, port: port))), from: DatapathID(1), now: t0,
            sink: sink)
        #expect(log.entries.suffix(2) == ["observer:switch_port_changed", "observer:port_status"])
        #expect(unit.switches.description(of: DatapathID(1))?.ports.map(\.portNumber).contains(PortNumber(2)) == true)
    }
}
