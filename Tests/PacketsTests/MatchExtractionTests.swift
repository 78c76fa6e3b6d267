import NIOCore
import OpenFlow
import Packets
import Testing

/// `Match(extractingFrom:inPort:)` against the fields Open vSwitch 1.x would extract.
@Suite struct MatchExtractionTests {
    let port = PortNumber(7)

    @Test func arp() {
        let match = Match(extractingFrom: Vectors.arpRequest, inPort: port)
        #expect(
            match
                == Match(
                    wildcards: [], inPort: port, dlSrc: MACAddress(0, 0, 0, 0, 0, 1), dlDst: .broadcast,
                    dlVlan: Match.vlanNone, dlType: 0x0806, nwProto: 1,
                    nwSrc: IPv4Address(10, 0, 0, 1), nwDst: IPv4Address(10, 0, 0, 2)))
    }

    @Test func arpOpcodeAboveEightBitsLeavesProtocolZero() {
        var frame = Vectors.arpRequest
        frame.setInteger(UInt16(0x0102), at: 20)
        let match = Match(extractingFrom: frame, inPort: port)
        #expect(match.nwProto == 0)
        #expect(match.nwSrc == IPv4Address(10, 0, 0, 1))
    }

    @Test func arpForAnotherProtocolHasNoNetworkFields() {
        let frame = Vectors.arpRequest.replacing(16, with: 0x86)  // ptype 0x86 00
        let match = Match(extractingFrom: frame, inPort: port)
        #expect(match.dlType == 0x0806)
        #expect(match.nwProto == 0 && match.nwSrc == .any && match.nwDst == .any)
    }

    @Test func icmp() {
        let match = Match(extractingFrom: Vectors.icmpEcho, inPort: port)
        #expect(
            match
                == Match(
                    wildcards: [], inPort: port, dlSrc: MACAddress(0, 0, 0, 0, 0, 1),
                    dlDst: MACAddress(0, 0, 0, 0, 0, 2),
                    dlVlan: Match.vlanNone, dlType: 0x0800, nwTos: 0xb8, nwProto: 1,
                    nwSrc: IPv4Address(10, 0, 0, 1), nwDst: IPv4Address(10, 0, 0, 2), tpSrc: 8, tpDst: 0))
    }

    @Test func tcpAfterIPv4Options() {
        let match = Match(extractingFrom: Vectors.tcpSynWithOptions, inPort: port)
        #expect(match.dlType == 0x0800)
        #expect(match.nwTos == 0x00, "ECN bits are not part of nw_tos")
        #expect(match.nwProto == 6)
        #expect(match.nwSrc == IPv4Address(192, 168, 1, 10) && match.nwDst == IPv4Address(93, 184, 216, 34))
        #expect(match.tpSrc == 43210 && match.tpDst == 80)
        #expect(match.wildcards == [])
    }

    @Test func udp() {
        let match = Match(extractingFrom: Vectors.udpDNSQuery, inPort: port)
        #expect(match.nwProto == 17 && match.tpSrc == 53000 && match.tpDst == 53)
        #expect(match.nwDst == IPv4Address(8, 8, 8, 8))
    }

    @Test func vlan() {
        let match = Match(extractingFrom: Vectors.vlanTaggedUDP, inPort: port)
        #expect(match.dlVlan == 100 && match.dlVlanPcp == 5)
        #expect(match.dlType == 0x0800)
        #expect(match.nwTos == 0x28)
        #expect(match.nwSrc == IPv4Address(10, 1, 0, 1))
        #expect(match.tpSrc == 5000 && match.tpDst == 6000)
    }

    @Test func serviceVLANTag() {
        let bytes = ByteBuffer(hex: "ffffffffffff 000000000001 88a8 e00a 0806")
        let match = Match(extractingFrom: bytes, inPort: port)
        #expect(match.dlVlan == 10 && match.dlVlanPcp == 7 && match.dlType == 0x0806)
    }

    @Test func tagWithoutInnerTypeIsNotATag() {
        // OVS needs the inner EtherType after the TCI to accept a tag.
        let match = Match(extractingFrom: Vectors.vlanTaggedUDP.prefix(17), inPort: port)
        #expect(match.dlVlan == Match.vlanNone && match.dlVlanPcp == 0)
        #expect(match.dlType == 0x8100)
    }

    @Test func ipv6AndLLDPHaveOnlyLinkFields() {
        let ipv6 = Match(extractingFrom: Vectors.ipv6ICMPv6Echo, inPort: port)
        #expect(ipv6.dlType == 0x86dd && ipv6.nwProto == 0 && ipv6.tpSrc == 0)
        #expect(ipv6.dlSrc == MACAddress(2, 0, 0, 0, 0, 1))
        let lldp = Match(extractingFrom: Vectors.echelonProbe, inPort: port)
        #expect(lldp.dlType == 0x88cc && lldp.dlDst == .lldpMulticast && lldp.nwSrc == .any)
    }

    @Test func eightOhTwoThree() {
        let plain = ByteBuffer(hex: "0180c2000000 000000000001 0026 424203 0000 0000 0000")
        #expect(Match(extractingFrom: plain, inPort: port).dlType == 0x05ff)
        let snap = ByteBuffer(
            hex: """
                000000000002 000000000001 0030 aaaa03 000000 0800
                45000014 00000000 4001 0000 0a000001 0a000002
                """)
        let match = Match(extractingFrom: snap, inPort: port)
        #expect(match.dlType == 0x0800)
        #expect(match.nwProto == 1 && match.nwDst == IPv4Address(10, 0, 0, 2))
        let otherOUI = snap.replacing(19, with: 0x01)
        #expect(Match(extractingFrom: otherOUI, inPort: port).dlType == 0x05ff)
    }

    @Test(arguments: [
        (UInt16(0x2000), "first fragment (MF)"), (UInt16(0x0010), "later fragment"),
        (UInt16(0x2010), "middle fragment"),
    ])
    func fragmentsHaveNoPorts(flagsAndOffset: UInt16, name: String) {
        var frame = Vectors.udpDNSQuery
        frame.setInteger(flagsAndOffset, at: 14 + 6)
        let match = Match(extractingFrom: frame, inPort: port)
        #expect(match.nwProto == 17 && match.nwSrc == IPv4Address(10, 0, 0, 1), "\(name)")
        #expect(match.tpSrc == 0 && match.tpDst == 0, "\(name)")
    }

    @Test func dontFragmentIsNotAFragment() {
        var frame = Vectors.udpDNSQuery
        frame.setInteger(UInt16(0x4000), at: 14 + 6)
        #expect(Match(extractingFrom: frame, inPort: port).tpDst == 53)
    }

    @Test func badIPv4HeaderLengthStopsAtTheLinkLayer() {
        let frame = Vectors.icmpEcho.replacing(14, with: 0x44)
        let match = Match(extractingFrom: frame, inPort: port)
        #expect(match.dlType == 0x0800)
        #expect(match.nwProto == 0 && match.nwSrc == .any && match.tpSrc == 0)
    }

    @Test func badTCPDataOffsetKeepsNetworkFields() {
        let frame = Vectors.tcpSynWithOptions.replacing(14 + 24 + 12, with: 0x40)
        let match = Match(extractingFrom: frame, inPort: port)
        #expect(match.nwProto == 6 && match.nwDst == IPv4Address(93, 184, 216, 34))
        #expect(match.tpSrc == 0 && match.tpDst == 0)
    }

    /// Cut at every length: the match only ever gains fields as bytes are added, and each field
    /// appears exactly when the header holding it is complete.
    @Test func truncatedFrames() {
        let frame = Vectors.tcpSynWithOptions
        let full = Match(extractingFrom: frame, inPort: port)
        for length in 0...frame.readableBytes {
            let match = Match(extractingFrom: frame.prefix(length), inPort: port)
            #expect(match.inPort == port && match.wildcards == [])
            #expect(match.dlVlan == Match.vlanNone)
            #expect(match.dlSrc == (length >= 14 ? full.dlSrc : .zero), "length \(length)")
            #expect(match.dlType == (length >= 14 ? 0x0800 : 0), "length \(length)")
            // IPv4 header with its 4 bytes of options ends at 38; TCP with 20 bytes of options at 78.
            #expect(match.nwDst == (length >= 38 ? full.nwDst : .any), "length \(length)")
            #expect(match.tpDst == (length >= 78 ? 80 : 0), "length \(length)")
        }
        #expect(Match(extractingFrom: Vectors.udpDNSQuery.prefix(41), inPort: port).tpDst == 0)
        #expect(Match(extractingFrom: Vectors.udpDNSQuery.prefix(42), inPort: port).tpDst == 53)
        #expect(Match(extractingFrom: Vectors.icmpEcho.prefix(37), inPort: port).tpSrc == 0)
        #expect(Match(extractingFrom: Vectors.icmpEcho.prefix(38), inPort: port).tpSrc == 8)
        #expect(Match(extractingFrom: Vectors.arpRequest.prefix(41), inPort: port).nwSrc == .any)
        #expect(Match(extractingFrom: Vectors.arpRequest.prefix(42), inPort: port).nwSrc == IPv4Address(10, 0, 0, 1))
    }

    @Test func respectsTheReaderIndex() {
        var buffer = ByteBuffer(hex: "deadbeef")
        buffer.writeImmutableBuffer(Vectors.udpDNSQuery)
        buffer.moveReaderIndex(forwardBy: 4)
        #expect(Match(extractingFrom: buffer, inPort: port) == Match(extractingFrom: Vectors.udpDNSQuery, inPort: port))
    }

    @Test func agreesWithTheFullParser() throws {
        for bytes in [
            Vectors.arpRequest, Vectors.icmpEcho, Vectors.tcpSynWithOptions, Vectors.udpDNSQuery, Vectors.vlanTaggedUDP,
        ] {
            let frame = try EthernetFrame(parsing: bytes)
            let match = Match(extractingFrom: bytes, inPort: port)
            #expect(match.dlSrc == frame.source && match.dlDst == frame.destination)
            #expect(match.dlType == frame.etherType.rawValue)
            #expect(match.dlVlan == frame.vlan?.vid ?? Match.vlanNone)
            if let ip = frame.payload.ipv4 {
                #expect(
                    match.nwSrc == ip.source && match.nwDst == ip.destination && match.nwProto == ip.protocol.rawValue)
                #expect(match.nwTos == ip.tos & 0xfc)
            }
        }
    }
}
