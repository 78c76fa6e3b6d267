import NIOCore
import OpenFlow
import Packets
import Testing

@Suite struct ChecksumTests {
    @Test func rfc1071Example() {
        // RFC 1071 section 3: the words sum to 0xddf2 (with end-around carry).
        #expect(InternetChecksum.of(ByteBuffer(hex: "0001 f203 f4f5 f6f7")) == ~UInt16(0xddf2))
        // An odd final byte counts as the high byte of a word.
        #expect(
            InternetChecksum.of(ByteBuffer(hex: "0001 f203 f4f5 f6f7 12"))
                == InternetChecksum.of(ByteBuffer(hex: "0001 f203 f4f5 f6f7 1200")))
        #expect(InternetChecksum.of(ByteBuffer()) == 0xffff)
    }

    @Test func wideAdditionsFoldLikeWords() {
        var wide = InternetChecksum()
        wide.add(UInt32(0xc0a8_010a))
        var words = InternetChecksum()
        words.add(UInt16(0xc0a8))
        words.add(UInt16(0x010a))
        #expect(wide.value == words.value)
    }

    @Test(arguments: [Vectors.icmpEcho, Vectors.tcpSynWithOptions, Vectors.udpDNSQuery])
    func receivedHeadersVerify(frame: ByteBuffer) throws {
        let ip = try #require(try EthernetFrame(parsing: frame).payload.ipv4)
        #expect(InternetChecksum.of(frame.getSlice(at: 14, length: ip.headerLength) ?? ByteBuffer()) == 0)
    }

    @Test func builtPacketsCarryValidChecksums() throws {
        let source = IPv4Address(10, 0, 0, 1)
        let destination = IPv4Address(10, 0, 0, 2)
        let payloads: [IPv4Packet.Payload] = [
            .tcp(
                TCPSegment(
                    sourcePort: 1, destinationPort: 2, flags: [.syn, .ack], checksum: 0x1234,
                    options: ByteBuffer(hex: "020405b4"), payload: ByteBuffer(string: "odd"))),
            .udp(
                UDPDatagram(sourcePort: 3, destinationPort: 4, checksum: 0x1234, payload: ByteBuffer(string: "hello"))),
            .icmp(ICMPMessage(type: 8, checksum: 0x1234, restOfHeader: 0x0001_0002, data: ByteBuffer(string: "x"))),
        ]
        for payload in payloads {
            let packet = IPv4Packet(
                identification: 9, ttl: 3, checksum: 0xbad0, source: source, destination: destination,
                options: ByteBuffer(hex: "940400"), payload: payload)
            var bytes = ByteBuffer()
            packet.write(to: &bytes)
            #expect(bytes.readableBytes == packet.totalLength)
            #expect(InternetChecksum.of(bytes.prefix(packet.headerLength)) == 0, "header of \(payload.protocol)")

            let transport = bytes.getSlice(at: packet.headerLength, length: payload.length) ?? ByteBuffer()
            var check = InternetChecksum()
            if payload.protocol != .icmp {
                check.add(source.rawValue)
                check.add(destination.rawValue)
                check.add(UInt16(payload.protocol.rawValue))
                check.add(UInt16(payload.length))
            }
            check.add(bytes: transport)
            #expect(check.value == 0, "\(payload.protocol) checksum")

            var reader = WireReader(bytes)
            let parsed = try IPv4Packet(parsing: &reader)
            #expect(parsed.checksum != 0xbad0)
        }
    }

    @Test func transportWritersAloneKeepTheStoredChecksum() {
        var bytes = ByteBuffer()
        TCPSegment(sourcePort: 1, destinationPort: 2, checksum: 0xabcd).write(to: &bytes)
        #expect(bytes.getInteger(at: 16, as: UInt16.self) == 0xabcd)
    }

    @Test func udpNeverSendsAComputedZero() {
        func build(_ word: UInt16) -> ByteBuffer {
            var payload = ByteBuffer()
            payload.writeInteger(word)
            let packet = IPv4Packet(
                source: IPv4Address(1, 2, 3, 4), destination: IPv4Address(5, 6, 7, 8),
                payload: .udp(UDPDatagram(sourcePort: 7, destinationPort: 9, payload: payload)))
            var bytes = ByteBuffer()
            packet.write(to: &bytes)
            return bytes
        }
        // Putting the checksum of a datagram into its payload makes the sum 0xffff, so the
        // computed checksum is 0, which UDP must send as 0xffff.
        let first = build(0).getInteger(at: 26, as: UInt16.self) ?? 0
        #expect(build(first).getInteger(at: 26, as: UInt16.self) == 0xffff)
    }
}
