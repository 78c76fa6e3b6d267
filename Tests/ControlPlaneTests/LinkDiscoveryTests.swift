import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing

@Suite struct LinkDiscoveryTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func description(_ dpid: UInt64, ports: [UInt16]) -> SwitchDescription {
        SwitchDescription(
            features: FeaturesReply(
                datapathID: DatapathID(dpid),
                ports: ports.map {
                    PhysicalPort(
                        portNumber: PortNumber($0), hardwareAddress: MACAddress(rawValue: dpid << 8 | UInt64($0)),
                        name: "p\($0)")
                } + [PhysicalPort(portNumber: .local, hardwareAddress: .zero, name: "local")]))
    }

    @Test func probesGoOutOfEveryPhysicalPortAndIdentifyTheirOrigin() throws {
        let probes = LinkDiscovery.probes(for: Self.description(7, ports: [1, 2, 3]))
        #expect(probes.map(\.port) == [PortNumber(1), PortNumber(2), PortNumber(3)])
        guard case .packetOut(let packetOut) = LinkDiscovery.packetOut(carrying: probes[1]) else {
            Issue.record("expected PACKET_OUT")
            return
        }
        #expect(packetOut.actions == [.output(port: PortNumber(2), maxLength: 0)])
        let probe = try #require(LLDPProbe(try EthernetFrame(parsing: packetOut.data)))
        #expect(probe.datapathID == DatapathID(7))
        #expect(probe.port == PortNumber(2))
    }

    @Test func aProbeThatArrivesMakesALinkThatExpiresUnlessConfirmed() throws {
        var links = LinkDiscovery(probeInterval: .seconds(5), linkTimeout: .seconds(16))
        let probe = LLDPProbe(datapathID: DatapathID(1), port: PortNumber(2), portAddress: MACAddress(2, 0, 0, 0, 1, 2))
        let arrival = HostLocation(datapathID: DatapathID(2), port: PortNumber(1))
        let observed = links.observe(probe, arrivedAt: arrival, now: t0)
        let link = try #require(observed)
        #expect(link.source == HostLocation(datapathID: DatapathID(1), port: PortNumber(2)))
        #expect(
            links.observe(probe, arrivedAt: arrival, now: t0 + .seconds(10)) == nil, "a known link is only refreshed")
        #expect(links.expire(now: t0 + .seconds(25)).isEmpty)
        #expect(links.expire(now: t0 + .seconds(26)) == [link])
    }

    @Test func probeRoundsFollowTheInterval() {
        var links = LinkDiscovery(probeInterval: .seconds(5))
        #expect(links.roundDue(now: t0) == true)
        #expect(links.roundDue(now: t0 + .seconds(4)) == false)
        #expect(links.roundDue(now: t0 + .seconds(5)) == true)
    }
}
