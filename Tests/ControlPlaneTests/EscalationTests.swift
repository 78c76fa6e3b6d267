import ControlPlane
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

/// An event goes up as the ECH_EVENT `escalated(transaction:sid:domain:)` makes; a unit writes
/// PACKET_INs straight from the event (`writeEscalated`), and the bytes must be the same.
@Suite struct EscalationTests {
    static let host = Host(
        mac: MACAddress(0, 0, 0, 0, 0, 7), vlan: 12, ipv4: IPv4Address(10, 0, 0, 7),
        location: HostLocation(datapathID: DatapathID(3), port: PortNumber(4)))

    static var events: [NetworkEvent] {
        var frame = ByteBuffer()
        frame.writeMACAddress(.broadcast)
        frame.writeMACAddress(MACAddress(0, 0, 0, 0, 0, 1))
        frame.writeInteger(UInt16(0x0800))
        frame.writeRepeatingByte(0, count: 46)
        let packetIn = PacketIn(bufferID: BufferID(rawValue: 77), totalLength: 60, inPort: PortNumber(2), data: frame)
        let status = PortStatus(
            reason: .modify,
            port: PhysicalPort(portNumber: PortNumber(2), hardwareAddress: MACAddress(0, 0, 0, 0, 1, 2), name: "p2"))
        return [
            .packetIn(
                PacketInEvent(
                    datapathID: DatapathID(3), xid: 0x1234_5678, packetIn: packetIn,
                    match: Match(extractingFrom: frame, inPort: PortNumber(2)))),
            .switchAdded(SwitchDescription(features: FeaturesReply(datapathID: DatapathID(3)))),
            .switchRemoved(DatapathID(3)),
            .portStatus(DatapathID(3), status),
            .switchPortChanged(DatapathID(3), status),
            .deviceAdded(host),
            .deviceChanged(host, .moved(from: HostLocation(datapathID: DatapathID(9), port: PortNumber(1)))),
        ]
    }

    @Test(arguments: events)
    func anEventWrittenFromItsPartsIsTheEventBuilt(_ event: NetworkEvent) throws {
        var direct = ByteBuffer()
        let deadline = NIODeadline.uptimeNanoseconds(1_234_567_890)
        event.writeEscalated(
            transaction: 41, sid: ServiceID(9), domain: UnitID(11), deadline: deadline, to: &direct, xid: 5)
        var built = ByteBuffer()
        let escalated = event.escalated(transaction: 41, sid: ServiceID(9), domain: UnitID(11), deadline: deadline)
        #expect(escalated.deadline == 1_234_567_890)
        UnitMessage.event(escalated).write(to: &built, xid: 5)
        #expect(direct == built)
        // And it reads back as the event it was.
        let parsed = try #require(try UnitMessage(parsingFrame: direct))
        guard case .event(let arrived) = parsed else {
            Issue.record("not an event: \(parsed)")
            return
        }
        #expect(arrived == escalated)
        #expect(NetworkEvent(arrived) == event)
    }
}
