import NIOCore
import OpenFlow
import Packets
import Testing

@Suite struct BuilderTests {
    @Test func lldpProbeBytes() {
        let probe = LLDPProbe(
            datapathID: DatapathID(0x1a), port: PortNumber(3), portAddress: MACAddress(2, 0, 0, 0, 0x1a, 3))
        #expect(probe.frame.encoded() == Vectors.echelonProbe)
    }

    @Test func lldpProbeRecovery() throws {
        let frame = try EthernetFrame(parsing: Vectors.echelonProbe)
        let probe = try #require(LLDPProbe(frame))
        #expect(probe.datapathID == DatapathID(0x1a))
        #expect(probe.port == PortNumber(3))
        #expect(probe.portAddress == MACAddress(2, 0, 0, 0, 0x1a, 3))
        #expect(LLDPProbe(parsing: Vectors.echelonProbe) == probe)
        #expect(LLDPProbe(parsing: Vectors.echelonProbe.prefix(50)) == nil)
        #expect(LLDPProbe(parsing: Vectors.lldpFromSwitch) == nil)
        let lldp = try #require(frame.payload.lldp)
        #expect(lldp.chassisID.subtype == 7)
        #expect(lldp.chassisID.value == ByteBuffer(string: "dpid:000000000000001a"))
        #expect(lldp.timeToLive == 120)
        #expect(lldp.optionalTLVs.count == 1)
        #expect(lldp.optionalTLVs[0].organizationallySpecific?.oui == 0x0A_EC10)
    }

    /// A signed probe's origin and authenticator travel in two more Echelon TLVs; either of the
    /// wrong length makes the frame no probe at all rather than an unsigned one.
    @Test func aSignedProbesTLVsRoundTripAndAWrongLengthIsRefused() throws {
        let signed = LLDPProbe(
            datapathID: DatapathID(0x1a), port: PortNumber(3), portAddress: MACAddress(2, 0, 0, 0, 0x1a, 3),
            origin: LLDPProbe.Origin(unit: 11, sentAt: 0x0102_0304_0506_0708), authenticator: Array(1...16))
        let bytes = signed.frame.encoded()
        #expect(LLDPProbe(parsing: bytes) == signed)
        #expect(signed.signedBytes.count == 28)
        let frame = try EthernetFrame(parsing: bytes)
        var lldp = try #require(frame.payload.lldp)
        #expect(lldp.optionalTLVs.count == 3)
        for (index, subtype) in [(1, LLDPProbe.originSubtype), (2, LLDPProbe.authenticatorSubtype)] {
            var cut = lldp
            cut.optionalTLVs[index] = .organizationallySpecific(
                oui: LLDPProbe.echelonOUI, subtype: subtype, information: ByteBuffer(bytes: [1, 2, 3]))
            let wrong = EthernetFrame(destination: frame.destination, source: frame.source, payload: .lldp(cut))
            #expect(LLDPProbe(parsing: wrong.encoded()) == nil, "subtype \(subtype) of 3 bytes")
        }
        lldp.optionalTLVs.removeLast()
        let unsigned = EthernetFrame(destination: frame.destination, source: frame.source, payload: .lldp(lldp))
        #expect(LLDPProbe(parsing: unsigned.encoded())?.authenticator == nil)
    }

    @Test func notAProbe() throws {
        let probe = LLDPProbe(datapathID: DatapathID(7), port: PortNumber(1), portAddress: .zero).frame
        var lldp = try #require(probe.payload.lldp)
        func recovered(_ change: (inout LLDPPacket) -> Void) -> LLDPProbe? {
            var copy = lldp
            change(&copy)
            return LLDPProbe(EthernetFrame(destination: probe.destination, source: probe.source, payload: .lldp(copy)))
        }
        #expect(recovered { _ in } != nil)
        #expect(recovered { $0.optionalTLVs = [] } == nil, "no Echelon TLV")
        #expect(
            recovered {
                $0.optionalTLVs = [
                    .organizationallySpecific(
                        oui: 0x0080c2, subtype: 1, information: ByteBuffer(hex: "0000000000000007"))
                ]
            } == nil, "another OUI")
        #expect(
            recovered {
                $0.optionalTLVs = [
                    .organizationallySpecific(
                        oui: 0x0A_EC10, subtype: 2, information: ByteBuffer(hex: "0000000000000007"))
                ]
            } == nil, "another subtype")
        #expect(
            recovered {
                $0.optionalTLVs = [
                    .organizationallySpecific(oui: 0x0A_EC10, subtype: 1, information: ByteBuffer(hex: "00000007"))
                ]
            } == nil, "short DPID")
        #expect(recovered { $0.portID.subtype = 5 } == nil, "port ID as an interface name")
        #expect(recovered { $0.portID.value = ByteBuffer(hex: "000001") } == nil, "three-byte port")
        // Other TLVs before Echelon's are skipped.
        lldp.optionalTLVs.insert(.init(type: 5, value: ByteBuffer(string: "s1")), at: 0)
        #expect(recovered { _ in }?.datapathID == DatapathID(7))
    }

    @Test func arpReplyToARequest() throws {
        let request = try EthernetFrame(parsing: Vectors.arpRequest)
        let mac = MACAddress(0, 0, 0, 0, 0, 2)
        let reply = try #require(request.arpReply(answering: mac))
        #expect(reply.destination == MACAddress(0, 0, 0, 0, 0, 1))
        #expect(reply.source == mac)
        #expect(
            reply
                == .arpReply(
                    senderMAC: mac, senderIP: IPv4Address(10, 0, 0, 2), targetMAC: MACAddress(0, 0, 0, 0, 0, 1),
                    targetIP: IPv4Address(10, 0, 0, 1)))
        // What `arping` would capture for the reply.
        #expect(
            reply.encoded()
                == ByteBuffer(
                    hex: """
                        000000000001 000000000002 0806 0001 0800 06 04 0002
                        000000000002 0a000002 000000000001 0a000001
                        """))
        #expect(reply.arpReply(answering: mac) == nil, "a reply is not answered")
        #expect(try EthernetFrame(parsing: Vectors.icmpEcho).arpReply(answering: mac) == nil)
    }

    @Test func arpReplyKeepsTheVLAN() throws {
        var request = try EthernetFrame(parsing: Vectors.arpRequest)
        request.vlan = VLANTag(vid: 42)
        #expect(request.arpReply(answering: .zero)?.vlan == VLANTag(vid: 42))
    }

    @Test func overlongOptionsAreCutToWhatTheHeaderCanDescribe() throws {
        let segment = TCPSegment(sourcePort: 1, destinationPort: 2, options: ByteBuffer(repeating: 1, count: 43))
        #expect(segment.headerLength == 60)
        var bytes = ByteBuffer()
        segment.write(to: &bytes)
        #expect(bytes.readableBytes == 60)
        var reader = WireReader(bytes)
        #expect(try TCPSegment(parsing: &reader).options == ByteBuffer(repeating: 1, count: 40))
        // Three bytes are padded with End of Option List to a word.
        let padded = TCPSegment(sourcePort: 1, destinationPort: 2, options: ByteBuffer(hex: "010101"))
        #expect(padded.headerLength == 24)
    }
}
