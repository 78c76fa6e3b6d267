import NIOCore
import OpenFlow
import Packets
import PropertyBased
import Testing

/// Malformed frames: every one throws a `WireError` naming the field and its offset in the
/// frame, and nothing traps.
@Suite struct MalformedTests {
    static let frames: [(name: String, bytes: ByteBuffer, decodedLength: Int)] = [
        ("arp", Vectors.arpRequest, 42), ("icmp", Vectors.icmpEcho, 74), ("tcp", Vectors.tcpSynWithOptions, 78),
        ("udp", Vectors.udpDNSQuery, 71), ("vlan", Vectors.vlanTaggedUDP, 50), ("ipv6", Vectors.ipv6ICMPv6Echo, 70),
        ("lldp", Vectors.lldpFromSwitch, 41), ("probe", Vectors.echelonProbe, 63),
    ]

    /// Each cut short of the decoded length fails, at an offset inside what was given; each
    /// cut at or after it parses.
    @Test(arguments: frames.map(\.name))
    func truncatedAtEveryLength(name: String) throws {
        let (_, bytes, decodedLength) = try #require(Self.frames.first { $0.name == name })
        for length in 0...bytes.readableBytes {
            let error = parseError(bytes.prefix(length))
            if length >= decodedLength {
                #expect(error == nil, "\(name) cut at \(length): \(String(describing: error))")
                continue
            }
            let wireError = try #require(error, "\(name) cut at \(length) must fail")
            #expect(wireError.offset <= length, "\(wireError)")
            if length < 12 {
                #expect(wireError.field.hasPrefix("ethernet."), "\(wireError)")
            }
        }
    }

    @Test func truncationNamesTheField() {
        #expect(
            parseError(Vectors.icmpEcho.prefix(5))
                == WireError(.truncated(needed: 6, available: 5), field: "ethernet.dst", offset: 0))
        #expect(
            parseError(Vectors.vlanTaggedUDP.prefix(17))
                == WireError(.truncated(needed: 2, available: 1), field: "vlan.type", offset: 16))
        #expect(
            parseError(Vectors.icmpEcho.prefix(29))
                == WireError(.truncated(needed: 4, available: 3), field: "ipv4.src", offset: 26))
        #expect(
            parseError(Vectors.tcpSynWithOptions.prefix(36))
                == WireError(.truncated(needed: 4, available: 2), field: "ipv4.options", offset: 34))
        #expect(
            parseError(Vectors.arpRequest.prefix(30))
                == WireError(.truncated(needed: 4, available: 2), field: "arp.spa", offset: 28))
        #expect(
            parseError(Vectors.echelonProbe.prefix(61))
                == WireError(.truncated(needed: 2, available: 0), field: "lldp.tlv", offset: 61))
    }

    @Test func ipv4HeaderLengthBelowFive() {
        let frame = Vectors.icmpEcho.replacing(14, with: 0x44)
        #expect(
            parseError(frame) == WireError(.lengthBelowMinimum(length: 4, minimum: 5), field: "ipv4.ihl", offset: 14))
    }

    @Test func ipv4WrongVersion() {
        let frame = Vectors.icmpEcho.replacing(14, with: 0x65)
        #expect(parseError(frame) == WireError(.invalidValue(6), field: "ipv4.version", offset: 14))
    }

    @Test func ipv4TotalLengthBeyondTheFrame() {
        var frame = Vectors.udpDNSQuery
        frame.setInteger(UInt16(256), at: 16)
        #expect(
            parseError(frame)
                == WireError(.lengthAboveMaximum(length: 256, maximum: 57), field: "ipv4.total_length", offset: 16))
    }

    @Test func ipv4TotalLengthInsideTheHeader() {
        var frame = Vectors.tcpSynWithOptions
        frame.setInteger(UInt16(20), at: 16)
        #expect(
            parseError(frame)
                == WireError(.lengthBelowMinimum(length: 20, minimum: 24), field: "ipv4.total_length", offset: 16))
    }

    @Test func ipv4TotalLengthShorterThanFrameLeavesPadding() throws {
        // A 46-byte minimum payload pads short packets; the padding is not transport data.
        var frame = Vectors.udpDNSQuery
        frame.writeRepeatingByte(0, count: 10)
        #expect(try EthernetFrame(parsing: frame) == EthernetFrame(parsing: Vectors.udpDNSQuery))
    }

    @Test func tcpDataOffsetBelowFive() {
        let frame = Vectors.tcpSynWithOptions.replacing(50, with: 0x40)
        #expect(
            parseError(frame)
                == WireError(.lengthBelowMinimum(length: 4, minimum: 5), field: "tcp.data_offset", offset: 50))
    }

    @Test func tcpDataOffsetBeyondTheSegment() {
        let frame = Vectors.tcpSynWithOptions.replacing(50, with: 0xf0)
        #expect(parseError(frame) == WireError(.truncated(needed: 40, available: 20), field: "tcp.options", offset: 58))
    }

    @Test func udpLength() {
        var short = Vectors.udpDNSQuery
        short.setInteger(UInt16(7), at: 38)
        #expect(
            parseError(short) == WireError(.lengthBelowMinimum(length: 7, minimum: 8), field: "udp.length", offset: 38))
        var long = Vectors.udpDNSQuery
        long.setInteger(UInt16(38), at: 38)
        #expect(
            parseError(long) == WireError(.lengthAboveMaximum(length: 38, maximum: 37), field: "udp.length", offset: 38)
        )
    }

    @Test func arpForOtherNetworks() {
        #expect(
            parseError(Vectors.arpRequest.replacing(15, with: 6))
                == WireError(.invalidValue(6), field: "arp.htype", offset: 14))
        #expect(
            parseError(Vectors.arpRequest.replacing(16, with: 0x86))
                == WireError(.invalidValue(0x8600), field: "arp.ptype", offset: 16))
        #expect(
            parseError(Vectors.arpRequest.replacing(18, with: 8))
                == WireError(.invalidValue(8), field: "arp.hlen", offset: 18))
        #expect(
            parseError(Vectors.arpRequest.replacing(19, with: 16))
                == WireError(.invalidValue(16), field: "arp.plen", offset: 19))
    }

    @Test func ipv6() {
        #expect(
            parseError(Vectors.ipv6ICMPv6Echo.replacing(14, with: 0x40))
                == WireError(.invalidValue(4), field: "ipv6.version", offset: 14))
        var long = Vectors.ipv6ICMPv6Echo
        long.setInteger(UInt16(17), at: 18)
        #expect(
            parseError(long)
                == WireError(.lengthAboveMaximum(length: 17, maximum: 16), field: "ipv6.payload_length", offset: 18))
    }

    @Test func lldpTLVLengthOverrunningTheFrame() {
        // System name TLV at 34: type 5, length 3 → 511.
        let frame = Vectors.lldpFromSwitch.replacing(34, with: 0x0b).replacing(35, with: 0xff)
        #expect(
            parseError(frame)
                == WireError(.lengthAboveMaximum(length: 511, maximum: 24), field: "lldp.tlv.length", offset: 34))
    }

    @Test func lldpTLVLengthOneByteTooLong() {
        // Port ID TLV at 18 claims 4 bytes of value where only 3 remain.
        let frame = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0202 0761 0404 020003")
        #expect(
            parseError(frame)
                == WireError(.lengthAboveMaximum(length: 4, maximum: 3), field: "lldp.tlv.length", offset: 18))
    }

    @Test func lldpMandatoryTLVs() {
        // Port ID first.
        let portFirst = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0403 020003 0000")
        #expect(parseError(portFirst) == WireError(.unknownType(2), field: "lldp.chassis_id", offset: 14))
        // Chassis ID with a subtype and no value.
        let emptyChassis = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0201 07 0403 020003 0602 0078 0000")
        #expect(
            parseError(emptyChassis)
                == WireError(.lengthBelowMinimum(length: 1, minimum: 2), field: "lldp.chassis_id.length", offset: 14))
        // A three-byte TTL.
        let longTTL = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0202 0761 0403 020003 0603 000078 0000")
        #expect(
            parseError(longTTL)
                == WireError(.lengthAboveMaximum(length: 3, maximum: 2), field: "lldp.ttl.length", offset: 23))
        // An End TLV with a value.
        let longEnd = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0202 0761 0403 020003 0602 0078 0001 ff")
        #expect(
            parseError(longEnd)
                == WireError(.lengthAboveMaximum(length: 1, maximum: 0), field: "lldp.end.length", offset: 27))
        // No End TLV.
        let noEnd = ByteBuffer(hex: "0180c200000e 000000000001 88cc 0202 0761 0403 020003 0602 0078")
        #expect(parseError(noEnd) == WireError(.truncated(needed: 2, available: 0), field: "lldp.tlv", offset: 27))
    }

    /// Random damage to real frames: parsing either succeeds or throws an error pointing inside
    /// the frame; match extraction always returns.
    @Test func randomCorruptionNeverTraps() async {
        let all = Self.frames.map(\.bytes)
        await propertyCheck(
            count: 2000, input: Gen.int(in: 0..<all.count), Gen.int(in: 0...200), Gen.uint8(), Gen.int(in: 0...80)
        ) { index, position, value, cut in
            var frame = all[index]
            frame.setInteger(value, at: position % frame.readableBytes)
            let damaged = frame.prefix(frame.readableBytes - cut % frame.readableBytes)
            if let error = parseError(damaged) {
                #expect(error.offset <= damaged.readableBytes)
            }
            _ = Match(extractingFrom: damaged, inPort: PortNumber(1))
        }
    }

    @Test func randomBytesNeverTrap() async {
        let tpids: [UInt16] = [0x0800, 0x0806, 0x86dd, 0x88cc, 0x8100, 0x88a8, 0x0040]
        await propertyCheck(count: 1000, input: Gen.uint8().array(of: 0...120), Gen.int(in: 0..<tpids.count)) {
            bytes, type in
            var frame = ByteBuffer(bytes: bytes)
            if frame.readableBytes >= 14 { frame.setInteger(tpids[type], at: 12) }
            if let error = parseError(frame) {
                #expect(error.offset <= frame.readableBytes)
            }
            _ = Match(extractingFrom: frame, inPort: PortNumber(1))
        }
    }
}
