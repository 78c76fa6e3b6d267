import NIOCore
import OpenFlow
import Packets
import Testing

/// Real frames parsed field by field, then written back byte for byte (the vectors carry
/// correct checksums, so re-encoding must reproduce them exactly).
@Suite struct VectorTests {
    @Test func arpRequest() throws {
        let frame = try EthernetFrame(parsing: Vectors.arpRequest)
        #expect(frame.destination == .broadcast)
        #expect(frame.source == MACAddress(0, 0, 0, 0, 0, 1))
        #expect(frame.vlan == nil)
        #expect(frame.etherType == .arp)
        let arp = try #require(frame.payload.arp)
        #expect(arp.operation == .request)
        #expect(arp.senderHardwareAddress == MACAddress(0, 0, 0, 0, 0, 1))
        #expect(arp.senderProtocolAddress == IPv4Address(10, 0, 0, 1))
        #expect(arp.targetHardwareAddress == .zero)
        #expect(arp.targetProtocolAddress == IPv4Address(10, 0, 0, 2))
        // The 18 bytes of Ethernet padding are not part of the value.
        #expect(frame.encoded() == Vectors.arpRequest.prefix(42))
    }

    @Test func icmpEcho() throws {
        let frame = try EthernetFrame(parsing: Vectors.icmpEcho)
        let ip = try #require(frame.payload.ipv4)
        #expect(ip.tos == 0xb8 && ip.dscp == 46 && ip.ecn == 0)
        #expect(ip.totalLength == 60 && ip.headerLength == 20)
        #expect(ip.identification == 0xbeef)
        #expect(ip.flags == .dontFragment && ip.fragmentOffset == 0 && !ip.isFragment)
        #expect(ip.ttl == 64)
        #expect(ip.protocol == .icmp)
        #expect(ip.checksum == 0x6717)
        #expect(ip.source == IPv4Address(10, 0, 0, 1) && ip.destination == IPv4Address(10, 0, 0, 2))
        #expect(ip.options.readableBytes == 0)
        let icmp = try #require(ip.payload.icmp)
        #expect(icmp.type == ICMPMessage.echoRequest && icmp.code == 0)
        #expect(icmp.checksum == 0xf3c8)
        #expect(icmp.identifier == 0x1234 && icmp.sequenceNumber == 1)
        #expect(icmp.data == ByteBuffer(bytes: Array(0x10..<0x30)))
        #expect(frame.encoded() == Vectors.icmpEcho)
    }

    @Test func tcpSynWithIPv4Options() throws {
        let frame = try EthernetFrame(parsing: Vectors.tcpSynWithOptions)
        #expect(frame.destination == MACAddress("52:54:00:12:34:56"))
        #expect(frame.source == MACAddress("08:00:27:aa:bb:cc"))
        let ip = try #require(frame.payload.ipv4)
        #expect(ip.headerLength == 24)
        #expect(ip.options == ByteBuffer(bytes: [0x94, 0x04, 0x00, 0x00]))
        #expect(ip.totalLength == 64)
        #expect(ip.tos == 0x02 && ip.ecn == 2)
        #expect(ip.checksum == 0x7deb)
        #expect(ip.destination == IPv4Address(93, 184, 216, 34))
        let tcp = try #require(ip.payload.tcp)
        #expect(tcp.sourcePort == 43210 && tcp.destinationPort == 80)
        #expect(tcp.sequenceNumber == 0x1a2b_3c4d && tcp.acknowledgmentNumber == 0)
        #expect(tcp.headerLength == 40)
        #expect(tcp.flags == .syn)
        #expect(tcp.window == 64240)
        #expect(tcp.checksum == 0x73ad)
        #expect(tcp.urgentPointer == 0)
        #expect(tcp.options == ByteBuffer(hex: "020405b4 0402 080a0001e24000000000 01 030307"))
        #expect(tcp.payload.readableBytes == 0)
        #expect(frame.encoded() == Vectors.tcpSynWithOptions)
    }

    @Test func udpDNSQuery() throws {
        let frame = try EthernetFrame(parsing: Vectors.udpDNSQuery)
        let ip = try #require(frame.payload.ipv4)
        #expect(ip.flags == [] && ip.protocol == .udp)
        let udp = try #require(ip.payload.udp)
        #expect(udp.sourcePort == 53000 && udp.destinationPort == 53)
        #expect(udp.length == 37)
        #expect(udp.checksum == 0x9b1a)
        #expect(udp.payload.getInteger(at: udp.payload.readerIndex, as: UInt16.self) == 0xabcd, "DNS transaction id")
        #expect(udp.payload.getString(at: udp.payload.readerIndex + 13, length: 7) == "example")
        #expect(frame.encoded() == Vectors.udpDNSQuery)
    }

    @Test func firstFragmentPayloadIsNotDecoded() throws {
        // The DNS query with More Fragments set: its UDP header is present, but the datagram is
        // not, so the payload stays bytes (and is written back without a new checksum).
        var bytes = Vectors.udpDNSQuery
        bytes.setInteger(UInt16(0x2000), at: 20)
        bytes.setInteger(UInt16(0x40a3), at: 24)  // IPv4 header checksum with the flag
        let ip = try #require(try EthernetFrame(parsing: bytes).payload.ipv4)
        #expect(ip.isFragment && ip.flags == .moreFragments)
        #expect(ip.payload == .other(protocol: .udp, bytes: bytes.getSlice(at: 34, length: 37) ?? ByteBuffer()))
        #expect(
            EthernetFrame(destination: .zero, source: .zero, payload: .ipv4(ip)).encoded().getSlice(at: 14, length: 57)
                == bytes.getSlice(at: 14, length: 57))
    }

    @Test func vlanTaggedFrame() throws {
        let frame = try EthernetFrame(parsing: Vectors.vlanTaggedUDP)
        #expect(frame.vlan == VLANTag(tpid: .vlan, priority: 5, dropEligible: false, vid: 100))
        #expect(frame.etherType == .ipv4)
        let ip = try #require(frame.payload.ipv4)
        #expect(ip.source == IPv4Address(10, 1, 0, 1))
        let udp = try #require(ip.payload.udp)
        #expect(udp.sourcePort == 5000 && udp.destinationPort == 6000)
        #expect(udp.payload == ByteBuffer(string: "ping"))
        #expect(frame.encoded() == Vectors.vlanTaggedUDP)
    }

    @Test func serviceVLANTagIsReadOnceAndKept() throws {
        // 802.1ad outer tag (VID 10, DEI set) around an 802.1Q inner tag: only the outer one is
        // decoded; the inner tag stays in the payload bytes.
        let bytes = ByteBuffer(hex: "ffffffffffff 000000000001 88a8 300a 8100 0014 0800 aabb")
        let frame = try EthernetFrame(parsing: bytes)
        #expect(frame.vlan == VLANTag(tpid: .serviceVLAN, priority: 1, dropEligible: true, vid: 10))
        #expect(frame.payload == .other(etherType: .vlan, bytes: ByteBuffer(hex: "0014 0800 aabb")))
        #expect(frame.encoded() == bytes)
    }

    @Test func ipv6ICMPv6() throws {
        let frame = try EthernetFrame(parsing: Vectors.ipv6ICMPv6Echo)
        #expect(frame.destination == MACAddress("33:33:00:00:00:02"))
        let ip = try #require(frame.payload.ipv6)
        #expect(ip.trafficClass == 0x0a)
        #expect(ip.flowLabel == 0x12345)
        #expect(ip.payloadLength == 16)
        #expect(ip.nextHeader == .icmpv6)
        #expect(ip.hopLimit == 255)
        #expect(ip.source == IPv6Address("fe80::1"))
        #expect(ip.destination == IPv6Address(0xfe80, 0, 0, 0, 0, 0, 0, 2))
        #expect(ip.payload.getInteger(at: ip.payload.readerIndex, as: UInt8.self) == 128, "echo request")
        #expect(frame.encoded() == Vectors.ipv6ICMPv6Echo)
    }

    @Test func lldpFromAnotherSwitch() throws {
        let frame = try EthernetFrame(parsing: Vectors.lldpFromSwitch)
        #expect(frame.destination == .lldpMulticast)
        let lldp = try #require(frame.payload.lldp)
        #expect(lldp.chassisID == .init(subtype: 4, value: ByteBuffer(hex: "001b213c4d5e")))
        #expect(lldp.portID == .init(subtype: 5, value: ByteBuffer(string: "eth1")))
        #expect(lldp.timeToLive == 120)
        #expect(lldp.optionalTLVs == [.init(type: 5, value: ByteBuffer(string: "sw1"))])
        #expect(frame.encoded() == Vectors.lldpFromSwitch.prefix(41))
        #expect(LLDPProbe(frame) == nil, "a foreign LLDP frame is not an Echelon probe")
    }

    @Test func eightOhTwoThreeFrameIsKeptWhole() throws {
        let bytes = ByteBuffer(hex: "0180c2000000 000000000001 0026 424203 0000")
        let frame = try EthernetFrame(parsing: bytes)
        #expect(frame.payload == .other(etherType: EtherType(0x0026), bytes: ByteBuffer(hex: "424203 0000")))
        #expect(frame.encoded() == bytes)
    }

    @Test func ipv6AddressText() {
        let cases: [(IPv6Address, String)] = [
            (.any, "::"), (.loopback, "::1"),
            (IPv6Address(0xfe80, 0, 0, 0, 0, 0, 0, 1), "fe80::1"),
            (IPv6Address(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), "2001:db8::1:0:0:1"),
            (IPv6Address(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), "2001:db8:0:1:1:1:1:1"),
            (IPv6Address(1, 2, 3, 4, 5, 6, 7, 0), "1:2:3:4:5:6:7:0"),
            (IPv6Address(0xff02, 0, 0, 0, 0, 0, 0, 0), "ff02::"),
        ]
        for (address, text) in cases {
            #expect(address.description == text)
            #expect(IPv6Address(text) == address)
        }
        for bad in ["", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1:2:3:4::5:6:7:8"] {
            #expect(IPv6Address(bad) == nil, "\(bad)")
        }
    }
}
