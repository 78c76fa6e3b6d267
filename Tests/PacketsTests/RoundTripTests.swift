import NIOCore
import OpenFlow
import Packets
import PropertyBased
import Testing

/// Generators of well-formed values. Checksums are left 0: writers compute them, and the tests
/// compare everything else.
enum Arbitrary {
    static let mac = Gen.uint64(in: 0...0xffff_ffff_ffff).map { MACAddress(rawValue: $0) }
    static let ipv4Address = Gen.uint32().map { IPv4Address(rawValue: $0) }
    static let ipv6Address = zip(Gen.uint64(), Gen.uint64()).map { IPv6Address(high: $0, low: $1) }
    static let port = Gen.uint16()
    static let payload = Gen.uint8().array(of: 0...64).map { ByteBuffer(bytes: $0) }
    /// Options of whole 32-bit words, up to the 40 bytes a header can hold.
    static let options = Gen.uint32().array(of: 0...10).map { (words: [UInt32]) -> ByteBuffer in
        var buffer = ByteBuffer()
        for word in words { buffer.writeInteger(word) }
        return buffer
    }

    static let vlan = zip(Gen.bool, Gen.uint8(in: 0...7), Gen.bool, Gen.uint16(in: 0...4095)).map { tag in
        VLANTag(tpid: tag.0 ? .serviceVLAN : .vlan, priority: tag.1, dropEligible: tag.2, vid: tag.3)
    }

    static let arp = zip(Gen.uint16(), mac, ipv4Address, mac, ipv4Address).map { fields in
        ARPPacket(
            operation: .init(rawValue: fields.0), senderHardwareAddress: fields.1, senderProtocolAddress: fields.2,
            targetHardwareAddress: fields.3, targetProtocolAddress: fields.4)
    }

    static let tcp = zip(
        port, port, Gen.uint32(), Gen.uint32(), Gen.uint16(in: 0...0x0fff), Gen.uint16(), Gen.uint16(), options, payload
    )
    .map { fields in
        TCPSegment(
            sourcePort: fields.0, destinationPort: fields.1, sequenceNumber: fields.2, acknowledgmentNumber: fields.3,
            flags: .init(rawValue: fields.4), window: fields.5, urgentPointer: fields.6, options: fields.7,
            payload: fields.8)
    }

    static let udp = zip(port, port, payload).map {
        UDPDatagram(sourcePort: $0.0, destinationPort: $0.1, payload: $0.2)
    }

    static let icmp = zip(Gen.uint8(), Gen.uint8(), Gen.uint32(), payload).map {
        ICMPMessage(type: $0.0, code: $0.1, restOfHeader: $0.2, data: $0.3)
    }

    /// A protocol the parser leaves undecoded.
    static let otherProtocol = Gen.uint8().filter { ![1, 6, 17].contains($0) }.map { IPProtocol($0) }

    static let transport = Gen<IPv4Packet.Payload>.oneOf(
        tcp.map { .tcp($0) }, udp.map { .udp($0) }, icmp.map { .icmp($0) },
        zip(otherProtocol, payload).map { .other(protocol: $0.0, bytes: $0.1) })

    /// Unfragmented packets (DF and the reserved bit may be set) with any transport.
    static let ipv4 = zip(
        Gen.uint8(), Gen.uint16(), Gen.uint8(in: 0...3), Gen.uint8(), ipv4Address, ipv4Address, options, transport
    )
    .map { fields in
        IPv4Packet(
            tos: fields.0, identification: fields.1, flags: .init(rawValue: fields.2 << 1), ttl: fields.3,
            source: fields.4, destination: fields.5, options: fields.6, payload: fields.7)
    }

    /// Fragments: the payload stays bytes whatever the protocol.
    static let fragment = zip(
        ipv4, Gen.bool, Gen.uint16(in: 0...0x1fff), Gen<UInt8?>.element(of: [1, 6, 17, 47] as [UInt8]), payload
    ).map { fields in
        var packet = fields.0
        packet.flags.formUnion(fields.1 || fields.2 == 0 ? .moreFragments : [])
        packet.fragmentOffset = fields.2
        packet.payload = .other(protocol: IPProtocol(fields.3 ?? 0), bytes: fields.4)
        return packet
    }

    static let ipv6 = zip(
        Gen.uint8(), Gen.uint32(in: 0...0xf_ffff), Gen.uint8(), Gen.uint8(), ipv6Address, ipv6Address, payload
    )
    .map { fields in
        IPv6Packet(
            trafficClass: fields.0, flowLabel: fields.1, nextHeader: IPProtocol(fields.2), hopLimit: fields.3,
            source: fields.4, destination: fields.5, payload: fields.6)
    }

    static let identifier = zip(Gen.uint8(), Gen.uint8().array(of: 1...255)).map {
        LLDPPacket.Identifier(subtype: $0.0, value: ByteBuffer(bytes: $0.1))
    }

    static let tlv = zip(Gen.uint8(in: 1...127), Gen.uint8().array(of: 0...511)).map {
        LLDPPacket.TLV(type: $0.0, value: ByteBuffer(bytes: $0.1))
    }

    static let lldp = zip(identifier, identifier, Gen.uint16(), tlv.array(of: 0...4)).map {
        LLDPPacket(chassisID: $0.0, portID: $0.1, timeToLive: $0.2, optionalTLVs: $0.3)
    }

    /// An EtherType the parser leaves undecoded (including 802.3 lengths).
    static let otherEtherType = Gen.uint16().filter { ![0x0800, 0x0806, 0x86dd, 0x88cc, 0x8100, 0x88a8].contains($0) }

    static let framePayload = Gen<EthernetFrame.Payload>.oneOf(
        arp.map { .arp($0) }, ipv4.map { .ipv4($0) }, fragment.map { .ipv4($0) }, ipv6.map { .ipv6($0) },
        lldp.map { .lldp($0) }, zip(otherEtherType, payload).map { .other(etherType: EtherType($0.0), bytes: $0.1) })

    static let frame = zip(mac, mac, vlan.optional, framePayload).map {
        EthernetFrame(destination: $0.0, source: $0.1, vlan: $0.2, payload: $0.3)
    }
}

extension EthernetFrame {
    /// This frame with every stored checksum set to 0, as generated values have them.
    var clearingChecksums: EthernetFrame {
        guard case .ipv4(var packet) = payload else { return self }
        packet.checksum = 0
        switch packet.payload {
        case .tcp(var segment):
            segment.checksum = 0
            packet.payload = .tcp(segment)
        case .udp(var datagram):
            datagram.checksum = 0
            packet.payload = .udp(datagram)
        case .icmp(var message):
            message.checksum = 0
            packet.payload = .icmp(message)
        case .other: break
        }
        var frame = self
        frame.payload = .ipv4(packet)
        return frame
    }
}

/// Build → parse gives back the value; parse → build gives back the bytes.
@Suite struct RoundTripTests {
    @Test func everyFrame() async throws {
        await propertyCheck(count: 500, input: Arbitrary.frame) { frame in
            let bytes = frame.encoded()
            let parsed = try EthernetFrame(parsing: bytes)
            #expect(parsed.clearingChecksums == frame)
            #expect(parsed.encoded() == bytes)
            if let ip = parsed.payload.ipv4 {
                let headerStart = frame.vlan == nil ? 14 : 18
                #expect(
                    InternetChecksum.of(bytes.getSlice(at: headerStart, length: ip.headerLength) ?? ByteBuffer()) == 0)
            }
        }
    }

    @Test func ethernetWithVLAN() async throws {
        await propertyCheck(
            input: Arbitrary.mac, Arbitrary.mac, Arbitrary.vlan, Arbitrary.otherEtherType, Arbitrary.payload
        ) {
            destination, source, vlan, type, payload in
            let frame = EthernetFrame(
                destination: destination, source: source, vlan: vlan,
                payload: .other(etherType: EtherType(type), bytes: payload))
            let bytes = frame.encoded()
            #expect(bytes.readableBytes == 18 + payload.readableBytes)
            let parsed = try EthernetFrame(parsing: bytes)
            #expect(parsed == frame)
            let match = Match(extractingFrom: bytes, inPort: PortNumber(1))
            #expect(match.dlVlan == vlan.vid && match.dlVlanPcp == vlan.priority)
            if type >= 0x600 { #expect(match.dlType == type) }
        }
    }

    @Test func arp() async throws {
        await propertyCheck(input: Arbitrary.arp) { arp in
            var bytes = ByteBuffer()
            arp.write(to: &bytes)
            #expect(bytes.readableBytes == ARPPacket.size)
            var reader = WireReader(bytes)
            let parsed = try ARPPacket(parsing: &reader)
            #expect(parsed == arp)
        }
    }

    @Test func ipv4WithTransport() async throws {
        await propertyCheck(count: 300, input: Arbitrary.ipv4) { packet in
            let frame = EthernetFrame(destination: .broadcast, source: .zero, payload: .ipv4(packet))
            let bytes = frame.encoded()
            #expect(bytes.readableBytes == 14 + packet.totalLength)
            let parsed = try EthernetFrame(parsing: bytes)
            #expect(parsed.clearingChecksums == frame)

            // The match the fast path extracts agrees with the value that was built.
            let match = Match(extractingFrom: bytes, inPort: PortNumber(1))
            #expect(match.nwSrc == packet.source && match.nwDst == packet.destination)
            #expect(match.nwProto == packet.protocol.rawValue && match.nwTos == packet.tos & 0xfc)
            switch packet.payload {
            case .tcp(let segment): #expect(match.tpSrc == segment.sourcePort && match.tpDst == segment.destinationPort)
            case .udp(let datagram):
                #expect(match.tpSrc == datagram.sourcePort && match.tpDst == datagram.destinationPort)
            case .icmp(let message): #expect(match.tpSrc == UInt16(message.type) && match.tpDst == UInt16(message.code))
            case .other: #expect(match.tpSrc == 0 && match.tpDst == 0)
            }
        }
    }

    @Test func fragmentsKeepTheirBytes() async throws {
        await propertyCheck(count: 200, input: Arbitrary.fragment) { packet in
            var bytes = ByteBuffer()
            packet.write(to: &bytes)
            var reader = WireReader(bytes)
            var parsed = try IPv4Packet(parsing: &reader)
            #expect(parsed.isFragment)
            parsed.checksum = 0
            #expect(parsed == packet)
        }
    }

    @Test func ipv6() async throws {
        await propertyCheck(input: Arbitrary.ipv6) { packet in
            var bytes = ByteBuffer()
            packet.write(to: &bytes)
            var reader = WireReader(bytes)
            let parsed = try IPv6Packet(parsing: &reader)
            #expect(parsed == packet)
            #expect(IPv6Address(packet.source.description) == packet.source)
        }
    }

    @Test func lldp() async throws {
        await propertyCheck(input: Arbitrary.lldp) { lldp in
            var bytes = ByteBuffer()
            lldp.write(to: &bytes)
            var reader = WireReader(bytes)
            let parsed = try LLDPPacket(parsing: &reader)
            #expect(parsed == lldp)
            #expect(reader.isAtEnd, "the End TLV must be written and consumed")
        }
    }

    @Test func lldpProbe() async throws {
        await propertyCheck(input: Gen.uint64(), Gen.uint16(), Arbitrary.mac) { dpid, port, mac in
            let probe = LLDPProbe(datapathID: DatapathID(dpid), port: PortNumber(port), portAddress: mac)
            var bytes = ByteBuffer()
            probe.write(to: &bytes)
            #expect(bytes.readableBytes == 63)
            let frame = try EthernetFrame(parsing: bytes)
            #expect(LLDPProbe(frame) == probe)
            #expect(frame.payload.lldp?.chassisID.value == ByteBuffer(string: "dpid:\(DatapathID(dpid))"))
        }
    }
}
