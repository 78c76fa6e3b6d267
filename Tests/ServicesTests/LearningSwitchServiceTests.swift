import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Services
import Testing

final class RecordingSink: SwitchMessageSink {
    var sent: [(DatapathID, OpenFlowMessage.Body)] = []
    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) { sent.append((datapathID, body)) }
}

@Suite struct LearningSwitchServiceTests {
    let s1 = DatapathID(1)
    let h1 = MACAddress(0, 0, 0, 0, 0, 1), h2 = MACAddress(0, 0, 0, 0, 0, 2)

    func event(
        from source: MACAddress, to destination: MACAddress, port: UInt16, buffer: BufferID = .none,
        etherType: EtherType = .ipv4
    ) -> NetworkEvent {
        ShortestPathForwardingServiceTests.packet(
            from: source, to: destination, at: HostLocation(datapathID: s1, port: PortNumber(port)),
            etherType: etherType, buffer: buffer)
    }

    func run(_ service: LearningSwitchService, _ event: NetworkEvent) -> (ServiceVerdict, [OpenFlowMessage.Body]) {
        let sink = RecordingSink()
        var context = ServiceContext(now: .now(), hosts: HostTracker(), sink: sink)
        let verdict = service.handle(event, context: &context)
        return (verdict, sink.sent.map(\.1))
    }

    @Test func unknownDestinationsAreFloodedAndSourcesLearnt() {
        let service = LearningSwitchService()
        let (_, sent) = run(service, event(from: h1, to: h2, port: 1))
        guard case .packetOut(let packetOut)? = sent.first, sent.count == 1 else {
            Issue.record("\(sent)")
            return
        }
        #expect(packetOut.actions == [.output(port: .flood, maxLength: 0)])
        #expect(packetOut.inPort == PortNumber(1))
        #expect(packetOut.data.readableBytes == 60, "an unbuffered packet goes out with its bytes")
        #expect(service.tables[s1]?[h1] == PortNumber(1))
    }

    @Test func knownDestinationsGetAFlowAndThePacket() {
        let service = LearningSwitchService(configuration: .init(idleTimeout: 7))
        _ = run(service, event(from: h2, to: h1, port: 2))
        let (_, sent) = run(service, event(from: h1, to: h2, port: 1))
        guard sent.count == 2, case .flowMod(let flowMod) = sent[0], case .packetOut(let packetOut) = sent[1] else {
            Issue.record("\(sent)")
            return
        }
        #expect(flowMod.actions == [.output(port: PortNumber(2), maxLength: 0)])
        #expect(flowMod.idleTimeout == 7)
        #expect(flowMod.match.wildcards == [])
        #expect(flowMod.match.dlSrc == h1 && flowMod.match.dlDst == h2 && flowMod.match.inPort == PortNumber(1))
        #expect(packetOut.actions == flowMod.actions)
    }

    @Test func aBufferedPacketIsReleasedByItsFlow() {
        let service = LearningSwitchService()
        _ = run(service, event(from: h2, to: h1, port: 2))
        let (_, sent) = run(service, event(from: h1, to: h2, port: 1, buffer: BufferID(42)))
        guard sent.count == 1, case .flowMod(let flowMod) = sent[0] else {
            Issue.record("\(sent)")
            return
        }
        #expect(flowMod.bufferID == BufferID(42))
    }

    @Test func lldpIsNeverForwarded() {
        let service = LearningSwitchService()
        let (verdict, sent) = run(service, event(from: h1, to: .lldpMulticast, port: 1, etherType: .lldp))
        #expect(verdict == .stop)
        #expect(sent.isEmpty)
    }

    @Test func aFrameForTheSamePortIsNotSentBack() {
        let service = LearningSwitchService()
        _ = run(service, event(from: h2, to: h1, port: 1))
        let (_, sent) = run(service, event(from: h1, to: h2, port: 1))
        #expect(sent.isEmpty)
    }

    @Test func aDepartedSwitchOrPortIsForgotten() {
        let service = LearningSwitchService()
        _ = run(service, event(from: h1, to: h2, port: 1))
        _ = run(service, event(from: h2, to: h1, port: 2))
        let port = PhysicalPort(portNumber: PortNumber(2), hardwareAddress: .zero, name: "p2")
        _ = run(service, .switchPortChanged(s1, PortStatus(reason: .delete, port: port)))
        #expect(service.tables[s1] == [h1: PortNumber(1)])
        _ = run(service, .switchRemoved(s1))
        #expect(service.tables[s1] == nil)
    }
}
